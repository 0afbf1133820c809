import { setTimeout as sleep } from "node:timers/promises";
import { streamPartsMessageSchema, type GenerateRequest, type RouteCandidate, type StreamPart } from "@switchboard/contracts";
import { createLogger } from "@switchboard/telemetry";
import { describe, expect, it, vi } from "vitest";
import { providerRegistry } from "../providers/registry.js";
import type { UpstreamHttpRequest, UpstreamHttpResponse, UpstreamTransport } from "../transport/upstream-transport.js";
import type { AttemptOutcome } from "../health/outcome-aggregator.js";
import { AttemptRegistry } from "./attempt-registry.js";
import { EndpointDirectory } from "./endpoint-directory.js";
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

/** A directory holding one endpoint, as if the router's snapshot listed only it. */
function directoryOf(candidate: RouteCandidate): EndpointDirectory {
  const directory = new EndpointDirectory();
  directory.apply({
    revision: 1,
    snapshot: {
      version: 1,
      loadedAt: "2026-01-01T00:00:00.000Z",
      publishedAt: "2026-01-01T00:00:00.000Z",
      models: [{ id: candidate.modelId, name: "Model", description: "", contextLength: 1_000, inputModalities: ["text"], outputModalities: ["text"], endpoints: [candidate], unconfiguredProviders: [] }],
    },
  });
  return directory;
}

function sseEvent(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

function textChunk(text: string) {
  return sseEvent({ id: "up-1", choices: [{ index: 0, delta: { content: text }, finish_reason: null }] });
}

function finishChunk(reason = "stop") {
  return sseEvent({ id: "up-1", choices: [{ index: 0, delta: {}, finish_reason: reason }] });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener("abort", () => resolve()));
}

interface RunOptions {
  transport: UpstreamTransport;
  stream: boolean;
  /** What to do to the in-flight registry once the first part arrived. */
  afterFirstPart?: (inFlight: InFlightGenerations) => void;
  maxCompletionTokens?: number | null;
  heartbeatIntervalMs?: number;
  /** How long part 0 may wait for company; 0 (the default here) sends it on its own at once. */
  acknowledgementDelayMs?: number;
  /** Receives every published message's parts, one entry per NATS message. */
  messages?: StreamPart[][];
  /** Receives the outcome recorded for the router's health judgement. */
  outcomes?: AttemptOutcome[];
  /** The key variable the endpoint names; ACME_API_KEY unless set. */
  apiKeyEnv?: string;
  /** Receives every variable name the handler reads a key from. */
  keyReads?: string[];
  /** The provider key the variable holds; sk-acme unless set. */
  apiKey?: string;
  /** Receives every log line of error level, as written. */
  errorLogLines?: string[];
}

const acceptance: StreamPart = { type: "stream-start", seq: 0, upstreamId: null };

/** Runs one generation through the handler; the parts it published, from part 0 (the acceptance) on. */
async function runGeneration(options: RunOptions) {
  const parts: StreamPart[] = [];
  const inFlight = new InFlightGenerations((error) => {
    throw error;
  });
  const candidate: RouteCandidate = {
    endpointId: "model@provider",
    modelId: "model",
    providerId: "provider",
    providerName: "Acme",
    api: "openai",
    baseUrl: "http://upstream.invalid/v1",
    apiKeyEnv: options.apiKeyEnv ?? "ACME_API_KEY",
    upstreamModel: "acme-1",
    price: { promptPicosPerToken: "1", completionPicosPerToken: "1" },
    contextLength: 1_000,
    maxCompletionTokens: null,
    supportedParameters: [],
    dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: false },
  };
  const request: GenerateRequest = {
    generationId: "gen-unit",
    endpointId: candidate.endpointId,
    body: { model: "model", messages: [{ role: "user", content: "hi" }] },
    stream: options.stream,
    maxCompletionTokens: options.maxCompletionTokens === undefined ? 100 : options.maxCompletionTokens,
    replyTo: "_INBOX.unit",
  };
  const handler = createGenerateHandler({
    connection: {
      publish: (_subject, payload) => {
        const before = parts.length;
        const message = streamPartsMessageSchema.parse(JSON.parse(String(payload)));
        options.messages?.push(message);
        parts.push(...message);
        // Part 0 takes the request; the next message holds the first parts from the upstream call.
        if (before === 1) options.afterFirstPart?.(inFlight);
      },
    },
    transport: options.transport,
    registry: providerRegistry,
    endpoints: directoryOf(candidate),
    resolveApiKey: (name) => {
      options.keyReads?.push(name);
      return options.apiKey ?? "sk-acme";
    },
    inFlight,
    attempts: new AttemptRegistry(),
    logger: options.errorLogLines
      ? createLogger("provider-connector-test", "error", { write: (line: string) => void options.errorLogLines?.push(line) })
      : createLogger("provider-connector-test", "silent"),
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
    acknowledgementDelayMs: options.acknowledgementDelayMs ?? 0,
    outcomes: { record: (outcome) => options.outcomes?.push(outcome) },
  });
  await handler(request);
  // Taken at once, before the upstream call even started: ingress waits for this part, not for a reply.
  if (!options.acknowledgementDelayMs) expect(parts).toEqual([acceptance]);
  expect(await inFlight.waitUntilIdle(2_000)).toBe(true);
  return parts;
}

describe("generate handler", () => {
  it("refuses an endpoint id its catalog lacks by throwing (an error reply), before publishing any part", async () => {
    const publish = vi.fn();
    const candidate = { endpointId: "model@provider" } as RouteCandidate;
    const handler = createGenerateHandler({
      connection: { publish },
      transport: stubTransport(200, async function* () {}).transport,
      registry: providerRegistry,
      endpoints: { resolve: () => directoryOf({ ...candidate, modelId: "model" } as RouteCandidate).resolve("other@provider") },
      resolveApiKey: () => undefined,
      inFlight: new InFlightGenerations(() => undefined),
      attempts: new AttemptRegistry(),
      logger: createLogger("provider-connector-test", "silent"),
      heartbeatIntervalMs: 60_000,
      acknowledgementDelayMs: 0,
      outcomes: { record: () => undefined },
    });
    const request = { generationId: "gen-unit", endpointId: "other@provider", body: { messages: [{ role: "user" as const, content: "hi" }] }, stream: true, maxCompletionTokens: null, replyTo: "_INBOX.unit" };
    await expect(handler(request)).rejects.toMatchObject({ error: { status: 400, code: "invalid_request" } });
    expect(publish).not.toHaveBeenCalled();
  });

  it("refuses an endpoint whose key variable is one of Switchboard's own settings, before reading it: nothing is sent", async () => {
    for (const apiKeyEnv of ["NATS_PASSWORD", "NATS_NKEY_SEED", "DATABASE_URL", "SWITCHBOARD_ADMIN_KEY", "NATS_API_KEY"]) {
      const { transport, sent } = stubTransport(200, async function* () {
        yield textChunk("never");
      });
      const keyReads: string[] = [];
      const parts = await runGeneration({ transport, stream: true, apiKeyEnv, keyReads });
      expect(keyReads, apiKeyEnv).toEqual([]);
      expect(sent, apiKeyEnv).toEqual([]);
      expect(parts.at(-1), apiKeyEnv).toMatchObject({
        type: "error",
        beforeFirstToken: true,
        error: { code: "upstream_error", status: 502, retryable: false, message: expect.stringContaining(apiKeyEnv) },
      });
    }
  });

  it("ends a stream that has a finish reason but no [DONE] with stream-end", async () => {
    const { transport, sent } = stubTransport(200, async function* () {
      yield textChunk("whole");
      yield finishChunk();
    });
    const parts = await runGeneration({ transport, stream: true });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "finish", "stream-end"]);
    expect(sent[0]).toMatchObject({ url: "http://upstream.invalid/v1/chat/completions", credential: { scheme: "bearer" }, apiKey: "sk-acme" });
    expect(sent[0]!.headers).not.toHaveProperty("authorization");
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ model: "acme-1", max_tokens: 100, stream: true });
  });

  it("ends a stream that closes without finish reason or [DONE] with a retryable error, not a success", async () => {
    const { transport } = stubTransport(200, async function* () {
      yield textChunk("partial");
    });
    const parts = await runGeneration({ transport, stream: true });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "error"]);
    expect(parts.at(-1)).toEqual({
      type: "error",
      seq: 3,
      beforeFirstToken: false,
      error: {
        code: "upstream_error",
        status: 502,
        retryable: true,
        message: "The provider closed the stream before finishing",
        metadata: { provider_name: "Acme" },
      },
    });
  });

  it("says no output was sent when a stream closes before its first delta", async () => {
    const { transport } = stubTransport(200, async function* () {
      yield sseEvent({ id: "up-1", choices: [{ index: 0, delta: { role: "assistant", content: "" } }] });
    });
    const parts = await runGeneration({ transport, stream: true });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "error"]);
    expect(parts.at(-1)).toMatchObject({ beforeFirstToken: true, error: { code: "upstream_error", status: 502, retryable: true } });
  });

  it("accepts a stream that ends with [DONE] even without a finish reason", async () => {
    const { transport } = stubTransport(200, async function* () {
      yield textChunk("done");
      yield "data: [DONE]\n\n";
    });
    const parts = await runGeneration({ transport, stream: true });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "stream-end"]);
  });

  it("sends no output cap upstream when maxCompletionTokens is null", async () => {
    const { transport, sent } = stubTransport(200, async function* () {
      yield JSON.stringify({ id: "up-1", choices: [{ index: 0, message: { content: "ok" }, finish_reason: "stop" }] });
    });
    const parts = await runGeneration({ transport, stream: false, maxCompletionTokens: null });
    expect(parts.at(-1)?.type).toBe("stream-end");
    const body = JSON.parse(sent[0]!.body);
    expect(body).not.toHaveProperty("max_tokens");
    expect(body).not.toHaveProperty("max_completion_tokens");
  });

  it("refuses a whole response over 32 MiB as a retryable upstream error and stops reading it", async () => {
    const mebibyte = "x".repeat(1024 * 1024);
    let chunksRead = 0;
    const { transport, destroy } = stubTransport(200, async function* () {
      for (;;) {
        chunksRead += 1;
        yield mebibyte;
      }
    });
    const parts = await runGeneration({ transport, stream: false });
    expect(parts).toEqual([
      acceptance,
      expect.objectContaining({ type: "error", beforeFirstToken: true, error: expect.objectContaining({ code: "upstream_error", status: 502, retryable: true, message: expect.stringMatching(/larger than 32 MiB/) }) }),
    ]);
    expect(chunksRead).toBe(33);
    expect(destroy).toHaveBeenCalled();
  });

  it("publishes numbered heartbeats while the provider is silent and none after the terminal part", async () => {
    const { transport } = stubTransport(200, async function* () {
      await sleep(120);
      yield textChunk("late");
      await sleep(60);
      yield finishChunk();
    });
    const parts = await runGeneration({ transport, stream: true, heartbeatIntervalMs: 20 });
    const countAtEnd = parts.length;
    await sleep(80);
    expect(parts).toHaveLength(countAtEnd);
    expect(parts.map((part) => part.seq)).toEqual(parts.map((_, index) => index));
    expect(parts.filter((part) => part.type === "heartbeat").length).toBeGreaterThanOrEqual(4);
    expect(parts.at(-1)?.type).toBe("stream-end");
    const firstDelta = parts.findIndex((part) => part.type === "text-delta");
    expect(parts.slice(0, firstDelta).some((part) => part.type === "heartbeat")).toBe(true);
  });

  it("stops heartbeats when the generation fails", async () => {
    const { transport } = stubTransport(500, async function* () {
      await sleep(60);
      yield "{}";
    });
    const parts = await runGeneration({ transport, stream: true, heartbeatIntervalMs: 10 });
    const countAtEnd = parts.length;
    await sleep(60);
    expect(parts).toHaveLength(countAtEnd);
    expect(parts.at(-1)?.type).toBe("error");
  });

  it("reports a provider error status through the adapter, before the first token", async () => {
    const { transport } = stubTransport(429, async function* () {
      yield JSON.stringify({ error: { message: "slow down", type: "requests", code: "rate_limit_exceeded" } });
    });
    const parts = await runGeneration({ transport, stream: true });
    expect(parts).toEqual([
      acceptance,
      {
        type: "error",
        seq: 1,
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
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "error"]);
    expect(parts.at(-1)).toMatchObject({ beforeFirstToken: false, error: { code: "upstream_error", retryable: true } });
    expect(destroy).toHaveBeenCalled();
  });

  it("reports a non-JSON whole response as a retryable upstream error", async () => {
    const { transport } = stubTransport(200, async function* () {
      yield "<html>gateway</html>";
    });
    const parts = await runGeneration({ transport, stream: false });
    expect(parts).toEqual([acceptance, expect.objectContaining({ type: "error", beforeFirstToken: true, error: expect.objectContaining({ code: "upstream_error", retryable: true }) })]);
  });

  it("sends part 0 and a quick whole answer in one message when part 0 may wait for it", async () => {
    const { transport } = stubTransport(200, async function* () {
      yield JSON.stringify({ id: "up-1", choices: [{ index: 0, message: { role: "assistant", content: "quick" }, finish_reason: "stop" }] });
    });
    const messages: StreamPart[][] = [];
    const parts = await runGeneration({ transport, stream: false, acknowledgementDelayMs: 5_000, messages });
    expect(messages).toHaveLength(1);
    expect(parts[0]).toEqual(acceptance);
    expect(parts.map((part) => part.seq)).toEqual(parts.map((_part, index) => index));
    expect(parts.at(-1)).toMatchObject({ type: "stream-end" });
  });

  it("ends a cancelled generation with a cancelled error even when the body just stops", async () => {
    const { transport } = stubTransport(200, async function* (signal) {
      yield textChunk("one");
      await untilAborted(signal);
    });
    const parts = await runGeneration({ transport, stream: true, afterFirstPart: (inFlight) => inFlight.cancel("gen-unit") });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "error"]);
    expect(parts.at(-1)).toMatchObject({ beforeFirstToken: false, error: { code: "cancelled", status: 499, retryable: false } });
  });

  it("ends a generation aborted at shutdown with a retryable service_unavailable, not a cancel", async () => {
    const { transport } = stubTransport(200, async function* (signal) {
      yield textChunk("one");
      await untilAborted(signal);
      throw new DOMException("This operation was aborted", "AbortError");
    });
    const parts = await runGeneration({ transport, stream: true, afterFirstPart: (inFlight) => inFlight.abortAllForShutdown() });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "error"]);
    const terminal = parts.at(-1);
    expect(terminal).toMatchObject({ beforeFirstToken: false, error: { code: "service_unavailable", status: 503, retryable: true } });
    expect(terminal?.type === "error" && terminal.error.message).toMatch(/shutting down/);
    expect(terminal?.type === "error" && terminal.error.metadata).toBeUndefined();
  });

  it("records each attempt's outcome for health: success with time to first token, the provider's failures by class, no cancels (issue 9)", async () => {
    const outcomes: AttemptOutcome[] = [];
    const streamed = stubTransport(200, async function* () {
      yield textChunk("Hello");
      yield finishChunk();
    });
    await runGeneration({ transport: streamed.transport, stream: true, outcomes });
    const limited = stubTransport(429, async function* () {
      yield JSON.stringify({ error: { message: "slow down" } });
    });
    await runGeneration({ transport: limited.transport, stream: true, outcomes });
    const failing = stubTransport(503, async function* () {
      yield "{}";
    });
    await runGeneration({ transport: failing.transport, stream: false, outcomes });
    const cancelled = stubTransport(200, async function* (signal) {
      yield textChunk("one");
      await untilAborted(signal);
    });
    await runGeneration({ transport: cancelled.transport, stream: true, outcomes, afterFirstPart: (inFlight) => inFlight.cancel("gen-unit") });
    expect(outcomes).toEqual([
      { endpointId: "model@provider", outcome: "ok", timeToFirstTokenMilliseconds: expect.any(Number) },
      { endpointId: "model@provider", outcome: "rate_limited" },
      { endpointId: "model@provider", outcome: "server_error" },
    ]);
  });
});

describe("generate handler: provider key material across the cut of a provider's message", () => {
  // AWS credentials as the signer reads them; the session token holds a colon, as AWS's may.
  const accessKeyId = "AKIAIOSFODNN7EXAMPLE";
  const secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const sessionToken = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD:Xv9sessionTokenTail+/=";
  const awsKey = `${accessKeyId}:${secretAccessKey}:${sessionToken}`;
  const openAiKey = "sk-proj-Zq81bXoPk2Lw9vYtR4mNabcd";

  /** A provider message quoting `secret` so that it starts 12 characters before the 1,000-character cut, glued to the text before it. */
  function straddling(secret: string): string {
    const label = "credential=";
    return `${"x".repeat(988 - label.length)}${label}${secret} was refused`;
  }

  /** Fails when any 8 characters from the start of `secret` reached the parts, or the whole of it. */
  function expectNoneOf(parts: StreamPart[], secret: string): void {
    const published = JSON.stringify(parts);
    expect(published).not.toContain(secret.slice(0, 8));
    expect(published).toContain("[redacted]");
  }

  for (const [name, apiKey, secret] of [
    ["a provider key", openAiKey, openAiKey],
    ["an AWS session token", awsKey, sessionToken],
    ["an AWS secret access key", awsKey, secretAccessKey],
  ] as const) {
    it(`never publishes ${name} cut by the bound of an error answer`, async () => {
      const { transport } = stubTransport(401, async function* () {
        yield JSON.stringify({ error: { message: straddling(secret), type: "invalid_request_error", code: "invalid_api_key" } });
      });
      const parts = await runGeneration({ transport, stream: false, apiKey });
      expect(parts.at(-1)).toMatchObject({ type: "error", error: { status: 502 } });
      expectNoneOf(parts, secret);
    });

    it(`never publishes ${name} cut by the bound of an in-stream error event`, async () => {
      const { transport } = stubTransport(200, async function* () {
        yield textChunk("Hel");
        yield sseEvent({ error: { message: straddling(secret), code: "server_error" } });
      });
      const parts = await runGeneration({ transport, stream: true, apiKey });
      expect(parts.at(-1)).toMatchObject({ type: "error", beforeFirstToken: false });
      expectNoneOf(parts, secret);
    });
  }

  it("logs an unexpected failure without the key material its message quotes", async () => {
    const transport: UpstreamTransport = {
      send: async () => {
        throw new TypeError(`cannot send with ${openAiKey}`);
      },
      close: async () => undefined,
    };
    const errorLogLines: string[] = [];
    const parts = await runGeneration({ transport, stream: false, apiKey: openAiKey, errorLogLines });
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { status: 500 } });
    expect(errorLogLines.join("")).toContain("generation failed unexpectedly");
    expect(errorLogLines.join("")).toContain("cannot send with [redacted]");
    expect(errorLogLines.join("")).not.toContain(openAiKey.slice(0, 8));
  });
});
