import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fakeEmbedding } from "./fake-embedding.js";

/** A function call the fake answers with (Gemini sends no call id). */
export interface FakeGeminiFunctionCall {
  name: string;
  args: Record<string, unknown>;
  /** Gemini's thought signature on the call's part (https://ai.google.dev/gemini-api/docs/thought-signatures). */
  thoughtSignature?: string;
}

/** How the fake Gemini API answers one request; with no field set it echoes the last user text. */
export interface FakeGeminiScript {
  /** Answer with this HTTP status and Google's error body. */
  status?: number;
  text?: string;
  /** A thought summary part before the answer (`thought: true`), sent when the request asks for thoughts. */
  thought?: string;
  functionCalls?: FakeGeminiFunctionCall[];
  /** Defaults to STOP, also after function calls, as Gemini does. */
  finishReason?: string;
  usage?: { promptTokenCount: number; candidatesTokenCount: number; thoughtsTokenCount?: number; cachedContentTokenCount?: number };
}

export interface RecordedGeminiRequest {
  /** Path and query, e.g. `/v1beta/models/m:streamGenerateContent?alt=sse`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A running fake of the Gemini API's generateContent, streamGenerateContent (`alt=sse`) and batchEmbedContents. */
export interface FakeGeminiUpstream {
  /** The version-less API root, as the catalog's `base_url` names Google's. */
  readonly url: string;
  setScript(script: FakeGeminiScript | ((body: Record<string, unknown>) => FakeGeminiScript)): void;
  readonly requests: readonly RecordedGeminiRequest[];
  close(): Promise<void>;
}

const statusNames: Record<number, string> = { 400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE" };
const methodPattern = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/;

async function readBody(request: IncomingMessage): Promise<string> {
  let text = "";
  request.setEncoding("utf8");
  for await (const chunk of request) text += chunk as string;
  return text;
}

function lastUserText(body: Record<string, unknown>): string {
  const contents = Array.isArray(body["contents"]) ? (body["contents"] as { role?: unknown; parts?: { text?: unknown }[] }[]) : [];
  const last = [...contents].reverse().find((content) => content.role === "user");
  return (last?.parts ?? []).map((part) => (typeof part.text === "string" ? part.text : "")).join("");
}

/**
 * Starts the fake. It answers as generativelanguage.googleapis.com does
 * (https://ai.google.dev/api/generate-content): a GenerateContentResponse, or with `alt=sse` one such
 * response per event, separated by CRLF pairs, each carrying the running usage totals, the last one the
 * finish reason.
 */
export async function startFakeGeminiUpstream(): Promise<FakeGeminiUpstream> {
  let chooseScript: (body: Record<string, unknown>) => FakeGeminiScript = () => ({});
  const requests: RecordedGeminiRequest[] = [];

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      response.end(JSON.stringify(payload));
    };
    const url = new URL(request.url ?? "/", "http://fake");
    const method = methodPattern.exec(url.pathname);
    if (request.method !== "POST" || !method) {
      send(404, { error: { code: 404, message: `Not found: ${request.method} ${url.pathname}`, status: "NOT_FOUND" } });
      return;
    }
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>;
    requests.push({ url: request.url ?? "", headers: request.headers, body });
    const script = chooseScript(body);
    if (script.status !== undefined) {
      send(script.status, { error: { code: script.status, message: `Scripted HTTP ${script.status}`, status: statusNames[script.status] ?? "UNKNOWN" } });
      return;
    }
    if (method[2] === "batchEmbedContents") {
      // https://ai.google.dev/api/embeddings#method:-models.batchembedcontents: one ContentEmbedding per
      // request, in order, and no token count; each request must name the URL's model.
      const embedRequests = Array.isArray(body["requests"]) ? (body["requests"] as { model?: unknown; content?: { parts?: { text?: unknown }[] }; outputDimensionality?: unknown }[]) : [];
      if (embedRequests.length === 0 || embedRequests.some((item) => item.model !== `models/${method[1]}`)) {
        send(400, { error: { code: 400, message: "* BatchEmbedContentsRequest.requests: every request must name the model of the URL", status: "INVALID_ARGUMENT" } });
        return;
      }
      send(200, {
        embeddings: embedRequests.map((item) => {
          const text = (item.content?.parts ?? []).map((part) => (typeof part.text === "string" ? part.text : "")).join("");
          return { values: fakeEmbedding(text, typeof item.outputDimensionality === "number" ? item.outputDimensionality : undefined) };
        }),
      });
      return;
    }
    const functionCalls = script.functionCalls ?? [];
    const text = script.text ?? (functionCalls.length === 0 ? `Echo: ${lastUserText(body)}` : "");
    const usage = script.usage ?? { promptTokenCount: 10, candidatesTokenCount: 5 };
    const responseId = randomBytes(12).toString("base64url");
    const modelVersion = method[1];
    const usageMetadata = (candidates: number) => ({ ...usage, candidatesTokenCount: candidates, totalTokenCount: usage.promptTokenCount + candidates + (usage.thoughtsTokenCount ?? 0) });
    const chunk = (parts: unknown[], finishReason: string | undefined, candidates: number) => ({
      candidates: [{ content: { parts, role: "model" }, ...(finishReason ? { finishReason } : {}), index: 0 }],
      usageMetadata: usageMetadata(candidates),
      modelVersion,
      responseId,
    });
    const functionParts = functionCalls.map((call) => ({ functionCall: { name: call.name, args: call.args }, ...(call.thoughtSignature ? { thoughtSignature: call.thoughtSignature } : {}) }));
    // Thought summaries come only with thinkingConfig.includeThoughts, as Gemini sends them.
    const includeThoughts = (body["generationConfig"] as { thinkingConfig?: { includeThoughts?: unknown } } | undefined)?.thinkingConfig?.includeThoughts === true;
    const thoughtParts = script.thought !== undefined && includeThoughts ? [{ text: script.thought, thought: true }] : [];
    const finishReason = script.finishReason ?? "STOP";

    if (method[2] === "generateContent") {
      send(200, chunk([...thoughtParts, ...(text !== "" ? [{ text }] : []), ...functionParts], finishReason, usage.candidatesTokenCount));
      return;
    }
    if (url.searchParams.get("alt") !== "sse") {
      send(400, { error: { code: 400, message: "this fake streams only with alt=sse", status: "INVALID_ARGUMENT" } });
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream" });
    const pieces = text.match(/\s*\S+\s*/g) ?? [];
    const events = [
      ...thoughtParts.map((part) => chunk([part], undefined, 0)),
      ...pieces.map((piece, index) => chunk([{ text: piece }], undefined, Math.min(index + 1, usage.candidatesTokenCount))),
    ];
    events.push(chunk(functionParts, finishReason, usage.candidatesTokenCount));
    for (const event of events) response.write(`data: ${JSON.stringify(event)}\r\n\r\n`);
    response.end();
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { code: 500, message: `fake failed: ${String(error)}`, status: "INTERNAL" } }));
      }
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
