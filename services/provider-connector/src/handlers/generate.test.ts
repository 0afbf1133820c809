import { streamPartSchema, type GenerateRequest, type StreamPart } from "@switchboard/contracts";
import { createLogger } from "@switchboard/telemetry";
import { describe, expect, it, vi } from "vitest";
import { providerRegistry } from "../providers/registry.js";
import type { UpstreamHttpRequest, UpstreamHttpResponse, UpstreamTransport } from "../transport/upstream-transport.js";
import { createGenerateHandler } from "./generate.js";
import { InFlightGenerations } from "./in-flight-generations.js";

type BodySource = (signal: AbortSignal) => AsyncGenerator<string>;

/** A transport answering every call with `status` and a body produced by `source`. */
function stubTransport(status: number, source: BodySource) {
  const destroy = vi.fn();
  const sent: UpstreamHttpRequest[] = [];
  const transport: UpstreamTransport = {
    async send(request): Promise<UpstreamHttpResponse> {
      sent.push(request);
      const chunks = source(request.signal);
      const encoder = new TextEncoder();
      return {
        status,
        headers: {},
        body: {
          async *[Symbol.asyncIterator]() {
            for await (const chunk of chunks) yield encoder.encode(chunk);
          },
          async text() {
            let text = "";
            for await (const chunk of chunks) text += chunk;
            return text;
          },
          destroy,
        },
      };
    },
    close: async () => undefined,
  };
  return { transport, destroy, sent };
}

function sseEvent(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

function textChunk(text: string) {
  return sseEvent({ id: "up-1", choices: [{ index: 0, delta: { content: text }, finish_reason: null }] });
}

async function runGeneration(options: { transport: UpstreamTransport; stream: boolean; cancelAfterFirstPart?: boolean }) {
  const parts: StreamPart[] = [];
  const inFlight = new InFlightGenerations((error) => {
    throw error;
  });
  const request: GenerateRequest = {
    generationId: "gen-unit",
    candidate: {
      endpointId: "endpoint",
      modelId: "model",
      providerId: "provider",
      providerName: "Acme",
      api: "openai",
      baseUrl: "http://upstream.invalid/v1",
      apiKeyEnv: "ACME_KEY",
      upstreamModel: "acme-1",
      price: { promptPicosPerToken: "1", completionPicosPerToken: "1" },
      contextLength: 1_000,
      maxCompletionTokens: null,
      supportedParameters: [],
      dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: false },
    },
    body: { model: "model", messages: [{ role: "user", content: "hi" }] },
    stream: options.stream,
    maxCompletionTokens: 100,
    replyTo: "_INBOX.unit",
  };
  const handler = createGenerateHandler({
    connection: {
      publish: (_subject, payload) => {
        parts.push(streamPartSchema.parse(JSON.parse(String(payload))));
        if (options.cancelAfterFirstPart && parts.length === 1) inFlight.cancel("gen-unit");
      },
    },
    transport: options.transport,
    registry: providerRegistry,
    resolveApiKey: () => "sk-acme",
    inFlight,
    logger: createLogger("provider-connector-test", "silent"),
  });
  expect(await handler(request)).toEqual({ accepted: true });
  expect(await inFlight.waitUntilIdle(2_000)).toBe(true);
  return parts;
}

describe("generate handler", () => {
  it("ends a stream that stops without finish or usage with stream-end", async () => {
    const { transport, sent } = stubTransport(200, async function* () {
      yield textChunk("partial");
    });
    const parts = await runGeneration({ transport, stream: true });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "text-delta", "stream-end"]);
    expect(sent[0]).toMatchObject({ baseUrl: "http://upstream.invalid/v1", path: "/chat/completions", headers: { authorization: "Bearer sk-acme" } });
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ model: "acme-1", max_tokens: 100, stream: true });
  });

  it("reports a provider error status through the adapter, before the first token", async () => {
    const { transport } = stubTransport(429, async function* () {
      yield JSON.stringify({ error: { message: "slow down", type: "requests", code: "rate_limit_exceeded" } });
    });
    const parts = await runGeneration({ transport, stream: true });
    expect(parts).toEqual([
      {
        type: "error",
        seq: 0,
        beforeFirstToken: true,
        error: expect.objectContaining({ code: "upstream_rate_limited", retryable: true, metadata: { raw: "slow down", provider_code: "rate_limit_exceeded", provider_name: "Acme" } }),
      },
    ]);
  });

  it("stops reading and reports an error after output when the stream turns malformed", async () => {
    const { transport, destroy } = stubTransport(200, async function* () {
      yield textChunk("Hello");
      yield "data: {not json\n\n";
      yield textChunk("never read");
    });
    const parts = await runGeneration({ transport, stream: true });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "text-delta", "error"]);
    expect(parts.at(-1)).toMatchObject({ beforeFirstToken: false, error: { code: "upstream_error", retryable: true } });
    expect(destroy).toHaveBeenCalled();
  });

  it("reports a non-JSON whole response as a retryable upstream error", async () => {
    const { transport } = stubTransport(200, async function* () {
      yield "<html>gateway</html>";
    });
    const parts = await runGeneration({ transport, stream: false });
    expect(parts).toEqual([expect.objectContaining({ type: "error", beforeFirstToken: true, error: expect.objectContaining({ code: "upstream_error", retryable: true }) })]);
  });

  it("ends a cancelled generation with a cancelled error even when the body just stops", async () => {
    const { transport } = stubTransport(200, async function* (signal) {
      yield textChunk("one");
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener("abort", resolve));
    });
    const parts = await runGeneration({ transport, stream: true, cancelAfterFirstPart: true });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "text-delta", "error"]);
    expect(parts.at(-1)).toMatchObject({ beforeFirstToken: false, error: { code: "cancelled", retryable: false } });
  });
});
