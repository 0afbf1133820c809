import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeToolCall } from "./fake-upstream-script.js";

/** Token counts the fake reports, in Anthropic's fields. */
export interface FakeAnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** How the fake Anthropic API answers one request; with no field set it echoes the last user text. */
export interface FakeAnthropicScript {
  /** Answer with this HTTP status and Anthropic's error body (529: `overloaded_error`). */
  status?: number;
  text?: string;
  /** A thinking block before the answer, with Anthropic's signature over its text (extended thinking). */
  thinking?: { text: string; signature: string };
  toolCalls?: FakeToolCall[];
  /** Defaults to `tool_use` with tool calls, `end_turn` otherwise. */
  stopReason?: string;
  usage?: FakeAnthropicUsage;
}

/** What the fake saw of one request. */
export interface RecordedAnthropicRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A running fake of Anthropic's Messages API (`POST /v1/messages`, JSON and SSE). */
export interface FakeAnthropicUpstream {
  /** The version-less API root, as the catalog's `base_url` names Anthropic's: `http://127.0.0.1:port`. */
  readonly url: string;
  /** The script for every following request, or a function choosing one per request body. */
  setScript(script: FakeAnthropicScript | ((body: Record<string, unknown>) => FakeAnthropicScript)): void;
  readonly requests: readonly RecordedAnthropicRequest[];
  close(): Promise<void>;
}

const errorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as { role?: unknown; content?: unknown }[]) : [];
  const last = [...messages].reverse().find((message) => message.role === "user");
  if (typeof last?.content === "string") return last.content;
  if (!Array.isArray(last?.content)) return "";
  return (last.content as { type?: unknown; text?: unknown }[]).map((block) => (block.type === "text" && typeof block.text === "string" ? block.text : "")).join("");
}

function words(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

/**
 * Why Anthropic refuses a request's extended thinking, or null when it takes it
 * (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking): a budget of at least 1,024
 * below `max_tokens`, a tool choice of only `auto` or `none`, and one thinking configuration per assistant
 * turn: a tool-use loop is one turn, so the last assistant message after the last user message that is more
 * than tool results, if it holds a `tool_use`, must start with a thinking block (Anthropic's message below).
 */
function thinkingRefusal(body: Record<string, unknown>): string | null {
  const thinking = body["thinking"] as { type?: unknown; budget_tokens?: unknown } | undefined;
  if (thinking?.type !== "enabled") return null;
  const budget = Number(thinking.budget_tokens);
  if (!(budget >= 1_024)) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
  if (!(Number(body["max_tokens"]) > budget)) return "`max_tokens` must be greater than `thinking.budget_tokens`";
  const toolChoice = (body["tool_choice"] as { type?: unknown } | undefined)?.type;
  if (toolChoice === "any" || toolChoice === "tool") return "Thinking may not be enabled when tool_choice forces tool use.";
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as { role?: unknown; content?: unknown }[]) : [];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const { role, content } = messages[index]!;
    const blocks = Array.isArray(content) ? (content as { type?: unknown }[]) : [{ type: "text" }];
    if (role === "user" && blocks.some((block) => block.type !== "tool_result")) break;
    if (role !== "assistant" || !blocks.some((block) => block.type === "tool_use")) continue;
    const first = String(blocks[0]?.type);
    if (first === "thinking" || first === "redacted_thinking") break;
    return (
      `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block ` +
      "(preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. " +
      "Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
    );
  }
  return null;
}

async function readBody(request: IncomingMessage): Promise<string> {
  let text = "";
  request.setEncoding("utf8");
  for await (const chunk of request) text += chunk as string;
  return text;
}

/**
 * Starts the fake. It answers as api.anthropic.com does (https://docs.anthropic.com/en/api/messages and
 * /en/docs/build-with-claude/streaming): a `message` object, or the event sequence message_start,
 * content_block_start / content_block_delta / content_block_stop per block, message_delta with the stop
 * reason and output tokens, message_stop, with a ping after the first text block start; a scripted
 * thinking block comes first, its text in thinking_delta events and then its signature_delta.
 */
export async function startFakeAnthropicUpstream(): Promise<FakeAnthropicUpstream> {
  let chooseScript: (body: Record<string, unknown>) => FakeAnthropicScript = () => ({});
  const requests: RecordedAnthropicRequest[] = [];

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { "content-type": "application/json", "request-id": `req_${randomBytes(8).toString("hex")}` });
      response.end(JSON.stringify(payload));
    };
    if (request.method !== "POST" || request.url !== "/v1/messages") {
      send(404, { type: "error", error: { type: "not_found_error", message: `Not found: ${request.method} ${request.url}` } });
      return;
    }
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    requests.push({ url: request.url, headers: request.headers, body });
    const refusal = thinkingRefusal(body);
    if (refusal !== null) {
      send(400, { type: "error", error: { type: "invalid_request_error", message: refusal } });
      return;
    }
    const script = chooseScript(body);
    if (script.status !== undefined) {
      send(script.status, { type: "error", error: { type: errorTypes[script.status] ?? "api_error", message: `Scripted HTTP ${script.status}` } });
      return;
    }
    const toolCalls = (script.toolCalls ?? []).map((call) => ({ id: call.id ?? `toolu_${randomBytes(12).toString("hex")}`, name: call.name, arguments: call.arguments }));
    const text = script.text ?? (toolCalls.length === 0 ? `Echo: ${lastUserText(body)}` : "");
    const stopReason = script.stopReason ?? (toolCalls.length > 0 ? "tool_use" : "end_turn");
    const usage = script.usage ?? { input_tokens: 10, output_tokens: 5 };
    const id = `msg_${randomBytes(12).toString("hex")}`;
    const model = String(body["model"]);
    const fullUsage = { input_tokens: usage.input_tokens, cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0, cache_read_input_tokens: usage.cache_read_input_tokens ?? 0 };

    if (body["stream"] !== true) {
      const content = [
        ...(script.thinking ? [{ type: "thinking", thinking: script.thinking.text, signature: script.thinking.signature }] : []),
        ...(text !== "" ? [{ type: "text", text }] : []),
        ...toolCalls.map((call) => ({ type: "tool_use", id: call.id, name: call.name, input: JSON.parse(call.arguments) as unknown })),
      ];
      send(200, { id, type: "message", role: "assistant", model, content, stop_reason: stopReason, stop_sequence: null, usage: { ...fullUsage, output_tokens: usage.output_tokens } });
      return;
    }

    response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    const event = (type: string, data: Record<string, unknown>) => response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    event("message_start", { message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...fullUsage, output_tokens: 1 } } });
    let index = 0;
    if (script.thinking) {
      // https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#streaming-thinking
      event("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
      for (const piece of words(script.thinking.text)) event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: piece } });
      event("content_block_delta", { index, delta: { type: "signature_delta", signature: script.thinking.signature } });
      event("content_block_stop", { index });
      index += 1;
    }
    if (text !== "") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      event("ping", {});
      for (const piece of words(text)) event("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
      event("content_block_stop", { index });
      index += 1;
    }
    for (const call of toolCalls) {
      event("content_block_start", { index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } });
      const middle = Math.ceil(call.arguments.length / 2);
      for (const piece of ["", call.arguments.slice(0, middle), call.arguments.slice(middle)]) event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } });
      event("content_block_stop", { index });
      index += 1;
    }
    event("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    event("message_stop", {});
    response.end();
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ type: "error", error: { type: "api_error", message: `fake failed: ${String(error)}` } }));
      } else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setScript(script) {
      chooseScript = typeof script === "function" ? script : () => script;
    },
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
