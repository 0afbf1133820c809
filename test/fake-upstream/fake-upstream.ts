import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { FakeToolCall, FakeUpstreamMatch, FakeUpstreamScript, RecordedRequest } from "./fake-upstream-script.js";
import { fakeEmbedding, fakeEmbeddingDimensions } from "./fake-embedding.js";
import { chatChunk, chatCompletion, choiceDelta, completionId, errorBody, tokenLogprob, toolCallId, type WireToolCall, type WireUsage } from "./openai-wire-format.js";

export interface StartFakeUpstreamOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

/** A running fake OpenAI server: chat completions and embeddings. */
export interface FakeUpstream {
  /** The API root to use as a base URL, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  /**
   * Sets the script for every request no rule matches, or a function choosing it from the request body (as
   * the Anthropic, Gemini and Bedrock fakes take it: a tool call first, an answer once the tool result is in);
   * undefined returns to echoing.
   */
  setScript(script: FakeUpstreamScript | ((body: Record<string, unknown>) => FakeUpstreamScript) | undefined): void;
  /** Scripts requests whose last user message (an embeddings request: its first input text) matches; the first matching rule wins. */
  addRule(match: FakeUpstreamMatch, script: FakeUpstreamScript): void;
  /** Forgets rules, the default script and recorded requests. */
  reset(): void;
  /** Every request received, oldest first. */
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

interface Rule {
  match: FakeUpstreamMatch;
  script: FakeUpstreamScript;
}

/** The text of the last user message: a string content, or its text parts joined. */
function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as unknown[]) : [];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as { role?: unknown; content?: unknown } | null;
    if (message?.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    if (Array.isArray(message.content)) {
      return message.content
        .map((part: { type?: unknown; text?: unknown }) => (part?.type === "text" && typeof part.text === "string" ? part.text : ""))
        .join("");
    }
    return "";
  }
  return "";
}

function splitIntoWords(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text]);
}

/** Two pieces per tool call's arguments, so clients must concatenate deltas. */
function splitArguments(argumentsText: string): string[] {
  if (argumentsText.length < 2) return [argumentsText];
  const middle = Math.ceil(argumentsText.length / 2);
  return [argumentsText.slice(0, middle), argumentsText.slice(middle)];
}

function defaultPromptTokens(body: Record<string, unknown>): number {
  const bytes = Buffer.byteLength(JSON.stringify(body["messages"] ?? []), "utf8");
  return Math.min(Math.ceil(bytes / 4), bytes);
}

function matches(match: FakeUpstreamMatch, text: string): boolean {
  return typeof match === "string" ? match === text : match.test(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
}

/** Resolves once the bytes are handed to the kernel, so a reset that follows cannot swallow them. */
function write(response: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve, reject) => response.write(data, (error) => (error ? reject(error) : resolve())));
}

/**
 * Starts a faithful OpenAI chat-completions server (JSON and SSE, usage, tool calls, error bodies)
 * scripted per request, in the spirit of envoy's `testupstream`: tests choose latency, failures and
 * resets, and read back what the client sent and when it hung up.
 */
export async function startFakeUpstream(options: StartFakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const host = options.host ?? "127.0.0.1";
  const rules: Rule[] = [];
  const requests: RecordedRequest[] = [];
  let defaultScript: ((body: Record<string, unknown>) => FakeUpstreamScript) | undefined;

  function scriptFor(text: string, body: Record<string, unknown>): FakeUpstreamScript {
    return rules.find((rule) => matches(rule.match, text))?.script ?? defaultScript?.(body) ?? {};
  }

  async function answer(request: IncomingMessage, response: ServerResponse, closed: AbortSignal): Promise<void> {
    if (request.method === "POST" && (request.url ?? "").split("?")[0]!.endsWith("/embeddings")) return answerEmbeddings(request, response, closed);
    if (request.method !== "POST" || !(request.url ?? "").split("?")[0]!.endsWith("/chat/completions")) {
      sendJson(response, 404, errorBody(404, `Invalid URL (${request.method} ${request.url})`));
      return;
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(await readBody(request));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      sendJson(response, 400, errorBody(400, "We could not parse the JSON body of your request."));
      return;
    }
    const record: RecordedRequest = { receivedAt: Date.now(), body, headers: request.headers, completed: false };
    requests.push(record);
    response.on("finish", () => {
      record.completed = true;
    });
    response.on("close", () => {
      if (!response.writableFinished) record.closedAt = Date.now();
    });

    const userText = lastUserText(body);
    const script = scriptFor(userText, body);
    if (script.delayBeforeHeadersMs) await sleep(script.delayBeforeHeadersMs, undefined, { signal: closed });
    if (script.answerAfter) await Promise.race([script.answerAfter, new Promise((resolve) => closed.addEventListener("abort", resolve, { once: true }))]);
    if (script.neverRespond) return;
    if (script.status !== undefined) {
      sendJson(response, script.status, errorBody(script.status, script.errorMessage));
      return;
    }

    const toolCalls: WireToolCall[] = (script.toolCalls ?? []).map((call: FakeToolCall) => ({ id: call.id ?? toolCallId(), name: call.name, arguments: call.arguments }));
    const echo = script.text === undefined && script.chunks === undefined && toolCalls.length === 0 && script.refusal === undefined;
    const text = script.text ?? script.chunks?.join("") ?? (echo ? `Echo: ${userText}` : "");
    const contentChunks = script.chunks ?? splitIntoWords(text);
    const argumentChunks = toolCalls.map((call) => splitArguments(call.arguments));
    const refusalChunks = script.refusal === undefined ? [] : splitIntoWords(script.refusal);
    const wantsLogprobs = body["logprobs"] === true;
    const logprobsOf = (pieces: readonly string[], offset: number) =>
      wantsLogprobs ? { content: pieces.map((piece, index) => tokenLogprob(piece, offset + index)), refusal: null } : null;
    const usage: WireUsage | undefined = script.omitUsage
      ? undefined
      : (script.usage ?? {
          prompt_tokens: defaultPromptTokens(body),
          completion_tokens: contentChunks.length + argumentChunks.reduce((total, pieces) => total + pieces.length, 0),
        });
    const finishReason = script.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
    const id = completionId();
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body["model"] === "string" ? body["model"] : "unknown";

    if (body["stream"] !== true) {
      if (script.resetAfterChunks !== undefined) {
        response.socket?.destroy();
        return;
      }
      const content = text === "" && (toolCalls.length > 0 || script.refusal !== undefined) ? null : text;
      const logprobs = logprobsOf(contentChunks, 0);
      sendJson(response, 200, chatCompletion({ id, created, model, content, refusal: script.refusal ?? null, toolCalls, finishReason, usage, logprobs }));
      return;
    }

    const streamOptions = body["stream_options"] as { include_usage?: unknown } | null | undefined;
    const includeUsage = streamOptions?.include_usage === true;
    const chunkUsage = includeUsage ? { usage: null } : {};
    const event = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
    const pause = async () => {
      if (script.delayBetweenChunksMs) await sleep(script.delayBetweenChunksMs, undefined, { signal: closed });
    };

    response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    await write(response, event(chatChunk({ id, created, model, choices: [choiceDelta({ role: "assistant", content: "", refusal: null })], ...chunkUsage })));
    let contentChunksSent = 0;
    // A scripted reset or early end, checked before each chunk and once more after the last one.
    const stoppedEarly = (): boolean => {
      if (script.resetAfterChunks !== undefined && contentChunksSent >= script.resetAfterChunks) {
        response.socket?.destroy();
        return true;
      }
      if (script.endStreamAfterChunks !== undefined && contentChunksSent >= script.endStreamAfterChunks) {
        response.end();
        return true;
      }
      if (script.streamErrorAfterChunks !== undefined && contentChunksSent >= script.streamErrorAfterChunks) {
        response.end(event({ error: { message: script.errorMessage ?? "The server had an error while processing your request.", code: 502 } }));
        return true;
      }
      return false;
    };
    for (const piece of contentChunks) {
      if (stoppedEarly()) return;
      await pause();
      await write(response, event(chatChunk({ id, created, model, choices: [choiceDelta({ content: piece }, null, logprobsOf([piece], contentChunksSent))], ...chunkUsage })));
      contentChunksSent += 1;
    }
    for (const piece of refusalChunks) {
      await pause();
      await write(response, event(chatChunk({ id, created, model, choices: [choiceDelta({ refusal: piece })], ...chunkUsage })));
    }
    if (stoppedEarly()) return;
    for (const [index, call] of toolCalls.entries()) {
      await pause();
      const header = { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } };
      await write(response, event(chatChunk({ id, created, model, choices: [choiceDelta({ tool_calls: [header] })], ...chunkUsage })));
      for (const piece of argumentChunks[index] ?? []) {
        await write(response, event(chatChunk({ id, created, model, choices: [choiceDelta({ tool_calls: [{ index, function: { arguments: piece } }] })], ...chunkUsage })));
      }
    }
    await pause();
    await write(response, event(chatChunk({ id, created, model, choices: [choiceDelta({}, finishReason)], ...chunkUsage })));
    if (includeUsage && usage !== undefined) await write(response, event(chatChunk({ id, created, model, choices: [], usage })));
    response.end(script.omitDone ? undefined : "data: [DONE]\n\n");
  }

  /**
   * OpenAI's embeddings endpoint (https://platform.openai.com/docs/api-reference/embeddings/create): one
   * `fakeEmbedding` per input (token-id inputs are embedded as their JSON text), in order, as numbers or,
   * with `encoding_format: "base64"`, as little-endian float32 base64; usage counts prompt tokens only.
   */
  async function answerEmbeddings(request: IncomingMessage, response: ServerResponse, closed: AbortSignal): Promise<void> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    } catch {
      sendJson(response, 400, errorBody(400, "We could not parse the JSON body of your request."));
      return;
    }
    const record: RecordedRequest = { receivedAt: Date.now(), body, headers: request.headers, completed: false };
    requests.push(record);
    response.on("finish", () => {
      record.completed = true;
    });
    const input = body["input"];
    const inputs: unknown[] = typeof input === "string" ? [input] : Array.isArray(input) && typeof input[0] === "number" ? [input] : Array.isArray(input) ? input : [];
    if (inputs.length === 0) {
      sendJson(response, 400, errorBody(400, "'input' is a required property"));
      return;
    }
    const texts = inputs.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
    const script = scriptFor(texts[0] ?? "", body);
    if (script.delayBeforeHeadersMs) await sleep(script.delayBeforeHeadersMs, undefined, { signal: closed });
    if (script.status !== undefined) {
      sendJson(response, script.status, errorBody(script.status, script.errorMessage));
      return;
    }
    const dimensions = typeof body["dimensions"] === "number" ? body["dimensions"] : fakeEmbeddingDimensions;
    const base64 = body["encoding_format"] === "base64";
    const data = texts.map((text, index) => {
      const vector = fakeEmbedding(text, dimensions);
      return { object: "embedding", index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector };
    });
    const promptTokens = script.usage?.prompt_tokens ?? texts.reduce((total, text) => total + Math.max(1, Math.ceil(Buffer.byteLength(text, "utf8") / 4)), 0);
    sendJson(response, 200, {
      object: "list",
      data,
      model: typeof body["model"] === "string" ? body["model"] : "unknown",
      ...(script.omitUsage ? {} : { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }),
    });
  }

  const server = createServer((request, response) => {
    const closed = new AbortController();
    response.on("close", () => closed.abort());
    answer(request, response, closed.signal).catch((error: unknown) => {
      // A client that hung up during a delay ends the script; anything else is a bug of the fake.
      if (closed.signal.aborted) return;
      if (!response.headersSent) sendJson(response, 500, errorBody(500, `fake upstream failed: ${String(error)}`));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostForUrl}:${address.port}/v1`,
    setScript(script) {
      defaultScript = script === undefined || typeof script === "function" ? script : () => script;
    },
    addRule(match, script) {
      rules.push({ match, script });
    },
    reset() {
      rules.length = 0;
      requests.length = 0;
      defaultScript = undefined;
    },
    get requests() {
      return requests;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging (neverRespond) and idle keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
