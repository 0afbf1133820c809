import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { chatChunk, chatCompletion, choiceDelta, completionId, type WireUsage } from "./openai-wire-format.js";

export interface StartPacedUpstreamOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

/** A running paced upstream. */
export interface PacedUpstream {
  /** The API root to use as a base URL, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  close(): Promise<void>;
}

/** `chunks=<count> interval=<milliseconds>` as the last user message asks for a paced stream. */
const pacingRequest = /chunks=(\d+) interval=(\d+)/;

/** How a stream is paced: content chunk `n` is sent `n × intervalMs` after the first one. */
export interface StreamPacing {
  chunks: number;
  intervalMs: number;
}

/** Three content chunks at once, unless the prompt asks for a paced stream. */
export function readStreamPacing(userText: string): StreamPacing {
  const match = pacingRequest.exec(userText);
  if (match === null) return { chunks: 3, intervalMs: 0 };
  return { chunks: Math.max(1, Number(match[1])), intervalMs: Number(match[2]) };
}

function lastUserText(body: { messages?: unknown }): string {
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: unknown; content?: unknown }[]) : [];
  const last = messages.findLast((message) => message?.role === "user");
  return typeof last?.content === "string" ? last.content : "";
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/**
 * The benchmark's upstream: an OpenAI chat-completions server that answers at once, records nothing and
 * runs no script, so that what it costs stays small and constant (the scripted fake keeps every request
 * for assertions, which grows without bound under load). JSON answers echo the prompt; streams send
 * content chunks at the pacing the prompt asks for, so a client can tell the upstream's pauses from
 * stalls added on the way.
 */
export async function startPacedUpstream(options: StartPacedUpstreamOptions = {}): Promise<PacedUpstream> {
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "POST" || !(request.url ?? "").endsWith("/chat/completions")) {
      response.writeHead(404).end();
      return;
    }
    const body = JSON.parse(await readBody(request)) as { model?: unknown; messages?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } };
    const userText = lastUserText(body);
    const model = typeof body.model === "string" ? body.model : "unknown";
    const id = completionId();
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = Math.max(1, Math.ceil(userText.length / 4));

    if (body.stream !== true) {
      const content = `Echo: ${userText}`;
      const usage: WireUsage = { prompt_tokens: promptTokens, completion_tokens: 3 };
      const payload = JSON.stringify(chatCompletion({ id, created, model, content, toolCalls: [], finishReason: "stop", usage }));
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
      response.end(payload);
      return;
    }

    const pacing = readStreamPacing(userText);
    const includeUsage = body.stream_options?.include_usage === true;
    const chunkUsage = includeUsage ? { usage: null } : {};
    const event = (choices: Record<string, unknown>[]) => `data: ${JSON.stringify(chatChunk({ id, created, model, choices, ...chunkUsage }))}\n\n`;
    response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    response.write(event([choiceDelta({ role: "assistant", content: "", refusal: null })]));
    let sent = 0;
    const finish = () => {
      response.write(event([choiceDelta({}, "stop")]));
      if (includeUsage) {
        response.write(`data: ${JSON.stringify(chatChunk({ id, created, model, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: pacing.chunks } }))}\n\n`);
      }
      response.end("data: [DONE]\n\n");
    };
    const sendNext = () => {
      if (response.destroyed) return;
      response.write(event([choiceDelta({ content: `word${sent} ` })]));
      sent += 1;
      if (sent >= pacing.chunks) finish();
      else if (pacing.intervalMs === 0) sendNext();
      else setTimeout(sendNext, pacing.intervalMs);
    };
    sendNext();
  }

  const server = createServer((request, response) => {
    answer(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(400).end();
      else response.destroy();
    });
  });
  // Load generators keep thousands of connections open; the default backlog of 511 would drop some.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1", backlog: 4096 }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}/v1`,
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
