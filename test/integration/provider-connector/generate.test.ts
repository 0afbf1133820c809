import { setTimeout as sleep } from "node:timers/promises";
import { createInbox, type NatsConnection } from "@nats-io/transport-node";
import {
  attemptProgressSchema,
  createSubjects,
  gatewayErrorCodes,
  streamPartsMessageSchema,
  SwitchboardError,
  type GenerateRequest,
  type RouteCandidate,
  type StreamPart,
  type Subjects,
} from "@switchboard/contracts";
import { requestReply } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { startProviderConnector, type ProviderConnector } from "../../../services/provider-connector/src/start-provider-connector.js";
import { startFakeUpstream, type FakeUpstream } from "../../fake-upstream/fake-upstream.js";
import { deleteRoutingBucket, publishTestRoutingSnapshot } from "../../support/routing-snapshot.js";
import { testLogger } from "../../support/silent-logger.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";

interface Generation {
  generationId: string;
  /** The private inbox the parts go to. */
  inbox: string;
  /** How many NATS messages brought the parts, and how many parts each held. */
  messages: { count: number; sizes: number[] };
  /** Every part received so far, validated against the contract. */
  parts: StreamPart[];
  /** Resolves with the parts once the terminal part arrived. */
  finished: Promise<StreamPart[]>;
}

interface GenerationOptions {
  generationId: string;
  /** An endpoint of the routing snapshot the suite published (`fakeEndpoints`). */
  endpointId: string;
  userText: string;
  stream: boolean;
  /** Defaults to 256; null asks for no output cap. */
  maxCompletionTokens?: number | null;
  onPart?: (part: StreamPart) => void;
}

/** The part a connector takes a generation with: part 0, before the provider answered anything. */
const acceptance = { type: "stream-start", seq: 0, upstreamId: null };

/**
 * Does what ingress does: subscribe to a private inbox, then ask a connector to generate into it, with the
 * inbox as the reply subject, and wait for the connector to take the request (its first part).
 */
async function startGeneration(connection: NatsConnection, subjects: Subjects, options: GenerationOptions): Promise<Generation> {
  const inbox = createInbox();
  const parts: StreamPart[] = [];
  const messages = { count: 0, sizes: [] as number[] };
  let accepted: () => void = () => undefined;
  const firstPart = new Promise<void>((resolve) => (accepted = resolve));
  const finished = new Promise<StreamPart[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no terminal part within 5 s; got ${JSON.stringify(parts)}`)), 5_000);
    connection.subscribe(inbox, {
      callback: (error, message) => {
        if (error) return reject(error);
        messages.count += 1;
        const received = streamPartsMessageSchema.parse(message.json());
        messages.sizes.push(received.length);
        for (const part of received) {
          parts.push(part);
          accepted();
          options.onPart?.(part);
          if (part.type === "stream-end" || part.type === "error") {
            clearTimeout(timer);
            resolve(parts);
          }
        }
      },
    });
  });
  const request: GenerateRequest = {
    generationId: options.generationId,
    endpointId: options.endpointId,
    body: {
      model: "fake/echo",
      messages: [{ role: "user", content: options.userText }],
      provider: { order: ["fake"] },
      max_completion_tokens: 4_096,
      temperature: 0.5,
    },
    stream: options.stream,
    maxCompletionTokens: options.maxCompletionTokens === undefined ? 256 : options.maxCompletionTokens,
    replyTo: inbox,
  };
  connection.publish(subjects.connectorGenerate, JSON.stringify(request), { reply: inbox });
  await firstPart;
  expect(parts[0]).toEqual(acceptance);
  return { generationId: options.generationId, inbox, parts, messages, finished };
}

function fakeCandidate(baseUrl: string, overrides: Partial<RouteCandidate> = {}): RouteCandidate {
  return {
    endpointId: fakeEndpointId,
    modelId: "fake/echo",
    providerId: "fake",
    providerName: "Fake",
    api: "openai",
    baseUrl,
    apiKeyEnv: "FAKE_API_KEY",
    upstreamModel: "fake-model-1",
    price: { promptPicosPerToken: "1000000", completionPicosPerToken: "2000000" },
    contextLength: 8_192,
    maxCompletionTokens: 1_024,
    supportedParameters: ["max_tokens", "temperature"],
    dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: true },
    ...overrides,
  };
}

const fakeEndpointId = "fake/echo@fake";

/**
 * The catalog the suites' connectors see, as the router would publish it: the fake provider, plus the
 * same provider with a key variable nobody set, without a key, and behind an API no adapter speaks.
 */
function fakeEndpoints(baseUrl: string): RouteCandidate[] {
  return [
    fakeCandidate(baseUrl),
    fakeCandidate(baseUrl, { endpointId: "fake/echo@missing-key", apiKeyEnv: "MISSING_PROVIDER_API_KEY" }),
    fakeCandidate(baseUrl, { endpointId: "fake/echo@keyless", apiKeyEnv: null }),
    fakeCandidate(baseUrl, { endpointId: "fake/echo@pigeon", api: "carrier-pigeon" }),
  ];
}

/** Short, so the timeout tests are fast; the scripted delays elsewhere stay well below them. */
const upstreamTimeouts = { connectTimeoutMs: 1_000, headersTimeoutMs: 800, bodyTimeoutMs: 800 };

/** The connector in-process against the real NATS server and the fake upstream; the test plays ingress. */
describe("provider connector: generate", () => {
  const subjects = createSubjects(uniqueNamespace("connector"));
  let fakeUpstream: FakeUpstream;
  let connectorConnection: NatsConnection;
  let ingressConnection: NatsConnection;
  let connector: ProviderConnector;

  beforeAll(async () => {
    fakeUpstream = await startFakeUpstream();
    connectorConnection = await connectTestNats("provider-connector-under-test");
    ingressConnection = await connectTestNats("ingress-stand-in");
    await publishTestRoutingSnapshot(ingressConnection, subjects, fakeEndpoints(fakeUpstream.url));
    connector = await startProviderConnector({
      connection: connectorConnection,
      subjects,
      logger: testLogger("provider-connector"),
      resolveApiKey: (name) => (name === "FAKE_API_KEY" ? "sk-test" : undefined),
      upstreamTimeouts,
      shutdownGraceMs: 1_000,
    });
  });

  afterAll(async () => {
    await connector?.stop();
    await connectorConnection?.drain();
    if (ingressConnection) await deleteRoutingBucket(ingressConnection, subjects);
    await ingressConnection?.drain();
    await fakeUpstream?.close();
  });

  let generationCounter = 0;

  /** A generation against this suite's connector, with a fresh generation id. */
  function generate(options: {
    userText: string;
    stream: boolean;
    endpointId?: string;
    maxCompletionTokens?: number | null;
    onPart?: (part: StreamPart) => void;
  }): Promise<Generation> {
    generationCounter += 1;
    return startGeneration(ingressConnection, subjects, {
      generationId: `gen-test-${generationCounter}-${Date.now()}`,
      endpointId: options.endpointId ?? fakeEndpointId,
      userText: options.userText,
      stream: options.stream,
      ...(options.maxCompletionTokens !== undefined ? { maxCompletionTokens: options.maxCompletionTokens } : {}),
      ...(options.onPart ? { onPart: options.onPart } : {}),
    });
  }

  /** Waits a little longer to prove nothing follows the terminal part. */
  async function settled(generation: Generation): Promise<StreamPart[]> {
    const parts = await generation.finished;
    const count = parts.length;
    await sleep(100);
    expect(generation.parts).toHaveLength(count);
    return parts;
  }

  function expectContiguousSeq(parts: readonly StreamPart[]): void {
    expect(parts.map((part) => part.seq)).toEqual(parts.map((_, index) => index));
  }

  function textOf(parts: readonly StreamPart[]): string {
    return parts.map((part) => (part.type === "text-delta" ? part.text : "")).join("");
  }

  function recordedRequest(userText: string) {
    return fakeUpstream.requests.find((request) => JSON.stringify(request.body["messages"]).includes(JSON.stringify(userText)));
  }

  it("streams numbered parts ending with finish, usage and stream-end", async () => {
    fakeUpstream.addRule("stream-basic", { text: "The quick brown fox", usage: { prompt_tokens: 11, completion_tokens: 4 } });
    const parts = await settled(await generate({ userText: "stream-basic", stream: true }));

    expectContiguousSeq(parts);
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "text-delta", "text-delta", "text-delta", "finish", "usage", "stream-end"]);
    expect(textOf(parts)).toBe("The quick brown fox");
    // Part 0 took the request; the provider's own start, with its id, follows once it answered.
    expect(parts[1]).toMatchObject({ type: "stream-start", upstreamId: expect.stringMatching(/^chatcmpl-/) });
    expect(parts.find((part) => part.type === "finish")).toMatchObject({ finishReason: "stop", nativeFinishReason: "stop" });
    expect(parts.find((part) => part.type === "usage")).toMatchObject({ usage: { promptTokens: 11, completionTokens: 4, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } });

    const upstream = recordedRequest("stream-basic");
    expect(upstream?.headers["authorization"]).toBe("Bearer sk-test");
    expect(upstream?.body).toMatchObject({ model: "fake-model-1", max_tokens: 256, stream: true, stream_options: { include_usage: true }, temperature: 0.5 });
    expect(upstream?.body).not.toHaveProperty("provider");
    expect(upstream?.body).not.toHaveProperty("max_completion_tokens");
  });

  it("answers a quick non-streamed generation in one message: the acceptance, the whole text as one delta and the end", async () => {
    fakeUpstream.addRule("whole-answer", { text: "All at once", usage: { prompt_tokens: 5, completion_tokens: 3 } });
    const generation = await generate({ userText: "whole-answer", stream: false });
    const parts = await settled(generation);

    expect(generation.messages.count).toBe(1);
    expectContiguousSeq(parts);
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "finish", "usage", "stream-end"]);
    expect(textOf(parts)).toBe("All at once");
    expect(parts.find((part) => part.type === "usage")).toMatchObject({ usage: { promptTokens: 5, completionTokens: 3 } });
    expect(recordedRequest("whole-answer")?.body).toMatchObject({ model: "fake-model-1", max_tokens: 256, stream: false });
  });

  it("sends the acceptance alone when the provider takes longer than the acknowledgement delay", async () => {
    // Longer than the 250 ms acknowledgement delay, and well inside the 800 ms headers timeout on a busy machine.
    fakeUpstream.addRule("slow-whole-answer", { text: "Later", delayBeforeHeadersMs: 450 });
    const generation = await generate({ userText: "slow-whole-answer", stream: false });
    const parts = await settled(generation);

    // Part 0 came on its own; a machine slow enough for a heartbeat may add messages, never merge them.
    expect(generation.messages.sizes[0]).toBe(1);
    expect(parts[0]).toEqual(acceptance);
    expectContiguousSeq(parts);
    expect(parts.filter((part) => part.type !== "heartbeat").map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "finish", "usage", "stream-end"]);
  });

  it("ends with stream-end and no usage when the provider reports none", async () => {
    fakeUpstream.addRule("no-usage", { text: "quiet", omitUsage: true });
    const parts = await settled(await generate({ userText: "no-usage", stream: true }));
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "finish", "stream-end"]);
  });

  it("sends neither max_tokens nor max_completion_tokens when there is no output cap", async () => {
    for (const stream of [true, false]) {
      const userText = `no-cap-${stream ? "stream" : "whole"}`;
      const parts = await settled(await generate({ userText, stream, maxCompletionTokens: null }));
      expect(parts.at(-1)?.type).toBe("stream-end");
      const upstream = recordedRequest(userText);
      expect(upstream?.body).toMatchObject({ model: "fake-model-1", stream });
      // The client's body carried max_completion_tokens: 4096; it must not leak through either.
      expect(upstream?.body).not.toHaveProperty("max_tokens");
      expect(upstream?.body).not.toHaveProperty("max_completion_tokens");
    }
  });

  it("reports a stream that closes after output without finish or [DONE] as a truncated, retryable answer", async () => {
    fakeUpstream.addRule("ends-early", { text: "one two three four", endStreamAfterChunks: 2 });
    const parts = await settled(await generate({ userText: "ends-early", stream: true }));

    expectContiguousSeq(parts);
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "text-delta", "error"]);
    expect(textOf(parts)).toBe("one two ");
    expect(parts.at(-1)).toMatchObject({
      type: "error",
      beforeFirstToken: false,
      error: { code: gatewayErrorCodes.upstreamError, status: 502, retryable: true, message: "The provider closed the stream before finishing" },
    });
    expect(recordedRequest("ends-early")?.completed).toBe(true);
  });

  it("lets ingress fall back when a stream closes before any output", async () => {
    fakeUpstream.addRule("ends-at-once", { text: "never sent", endStreamAfterChunks: 0 });
    const parts = await settled(await generate({ userText: "ends-at-once", stream: true }));
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "error"]);
    expect(parts.at(-1)).toMatchObject({ beforeFirstToken: true, error: { code: gatewayErrorCodes.upstreamError, status: 502, retryable: true } });
  });

  it("accepts a stream that finishes without [DONE], as some vendors send it", async () => {
    fakeUpstream.addRule("no-done", { text: "finished anyway", omitDone: true, usage: { prompt_tokens: 3, completion_tokens: 2 } });
    const parts = await settled(await generate({ userText: "no-done", stream: true }));
    expect(parts.map((part) => part.type).slice(-3)).toEqual(["finish", "usage", "stream-end"]);
    expect(textOf(parts)).toBe("finished anyway");
  });

  it("reports an upstream 500 as a retryable error before the first token", async () => {
    fakeUpstream.addRule("fail-500", { status: 500, delayBeforeHeadersMs: 50 });
    const parts = await settled(await generate({ userText: "fail-500", stream: true }));

    expect(parts).toHaveLength(2);
    expect(parts[1]).toMatchObject({
      seq: 1,
      type: "error",
      beforeFirstToken: true,
      error: { code: gatewayErrorCodes.upstreamError, status: 502, retryable: true, metadata: { provider_name: "Fake" } },
    });
  });

  it("reports an upstream 400 as the provider's verdict on the request, not retryable", async () => {
    fakeUpstream.addRule("fail-400", { status: 400, errorMessage: "Invalid 'messages': too long" });
    const [, part] = await settled(await generate({ userText: "fail-400", stream: false }));
    expect(part).toMatchObject({
      type: "error",
      beforeFirstToken: true,
      error: { code: gatewayErrorCodes.invalidRequest, status: 400, retryable: false, message: "Provider returned error", metadata: { raw: "Invalid 'messages': too long" } },
    });
  });

  it("reports a connection reset after output as an error that forbids fallback", async () => {
    fakeUpstream.addRule("reset-after-two", { text: "one two three four five", resetAfterChunks: 2 });
    const parts = await settled(await generate({ userText: "reset-after-two", stream: true }));

    expectContiguousSeq(parts);
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "text-delta", "text-delta", "error"]);
    expect(textOf(parts)).toBe("one two ");
    expect(parts.at(-1)).toMatchObject({ type: "error", beforeFirstToken: false, error: { code: gatewayErrorCodes.upstreamError, retryable: true } });
  });

  it("times out a provider that never sends headers", async () => {
    fakeUpstream.addRule("never-headers", { neverRespond: true });
    const parts = await settled(await generate({ userText: "never-headers", stream: true }));
    expect(parts).toEqual([
      acceptance,
      expect.objectContaining({ type: "error", beforeFirstToken: true, error: expect.objectContaining({ code: gatewayErrorCodes.upstreamTimeout, retryable: true }) }),
    ]);
    await vi.waitFor(() => expect(recordedRequest("never-headers")?.closedAt).toBeTypeOf("number"));
  });

  it("times out a stream that stalls between chunks", async () => {
    fakeUpstream.addRule("stall", { text: "first second", delayBetweenChunksMs: 3_000 });
    const parts = await settled(await generate({ userText: "stall", stream: true }));
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "stream-start", "error"]);
    expect(parts.at(-1)).toMatchObject({ beforeFirstToken: true, error: { code: gatewayErrorCodes.upstreamTimeout, retryable: true } });
  });

  it("aborts the upstream request when ingress cancels, closing its connection within a second", async () => {
    fakeUpstream.addRule("cancel-me", { text: Array.from({ length: 50 }, (_, index) => `word${index}`).join(" "), delayBetweenChunksMs: 40 });
    let cancelledAt = 0;
    const generation = await generate({
      userText: "cancel-me",
      stream: true,
      onPart: (part) => {
        if (part.type === "text-delta" && cancelledAt === 0) {
          cancelledAt = Date.now();
          ingressConnection.publish(subjects.connectorCancel(generation.generationId));
        }
      },
    });
    const parts = await settled(generation);

    expectContiguousSeq(parts);
    expect(parts.at(-1)).toMatchObject({ type: "error", beforeFirstToken: false, error: { code: gatewayErrorCodes.cancelled, retryable: false } });
    expect(parts.filter((part) => part.type === "text-delta").length).toBeLessThan(10);
    await vi.waitFor(() => expect(recordedRequest("cancel-me")?.closedAt).toBeTypeOf("number"), { timeout: 1_000 });
    const upstream = recordedRequest("cancel-me")!;
    expect(upstream.completed).toBe(false);
    expect(upstream.closedAt! - cancelledAt).toBeLessThan(1_000);
  });

  it("tells the operator which environment variable holds the missing provider key", async () => {
    const parts = await settled(await generate({ userText: "missing-key", stream: true, endpointId: "fake/echo@missing-key" }));
    expect(parts).toHaveLength(2);
    expect(parts[1]).toMatchObject({ type: "error", beforeFirstToken: true, error: { code: gatewayErrorCodes.upstreamError, status: 502, retryable: true } });
    expect(parts[1]?.type === "error" && parts[1].error.message).toMatch(/MISSING_PROVIDER_API_KEY/);
    expect(recordedRequest("missing-key")).toBeUndefined();
  });

  it("calls keyless providers without an Authorization header", async () => {
    const parts = await settled(await generate({ userText: "keyless", stream: false, endpointId: "fake/echo@keyless" }));
    expect(textOf(parts)).toBe("Echo: keyless");
    expect(recordedRequest("keyless")?.headers).not.toHaveProperty("authorization");
  });

  it("answers an unsupported provider API with a retryable error naming it", async () => {
    const parts = await settled(await generate({ userText: "unknown-api", stream: true, endpointId: "fake/echo@pigeon" }));
    expect(parts[1]).toMatchObject({ type: "error", beforeFirstToken: true, error: { code: gatewayErrorCodes.upstreamError, status: 502, retryable: true } });
    expect(parts[1]?.type === "error" && parts[1].error.message).toMatch(/carrier-pigeon/);
  });

  it("rejects a malformed generate request in the reply", async () => {
    const failure = await requestReply(ingressConnection, subjects.connectorGenerate, { generationId: 7 }, z.unknown()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SwitchboardError);
    expect((failure as SwitchboardError).error).toMatchObject({ code: gatewayErrorCodes.invalidRequest, status: 400 });
  });

  it("answers how far an attempt got, counts only, for the attempt's inbox alone, also after it ended", async () => {
    const generation = await generate({ userText: "count me", stream: true });
    const parts = await settled(generation);
    const progress = await requestReply(ingressConnection, subjects.connectorAttemptProgress, { replyTo: generation.inbox }, attemptProgressSchema, {
      timeoutMs: 1_000,
    });
    const text = textOf(parts);
    expect(progress).toMatchObject({ nextSeq: parts.length, outputBytes: Buffer.byteLength(text, "utf8"), ended: true });
    const usagePart = parts.find((part) => part.type === "usage");
    expect(progress.usage).toEqual(usagePart?.type === "usage" ? usagePart.usage : null);
    // Another inbox is nobody's attempt: every replica stays silent and the asker times out.
    await expect(
      requestReply(ingressConnection, subjects.connectorAttemptProgress, { replyTo: createInbox() }, attemptProgressSchema, { timeoutMs: 300 }),
    ).rejects.toMatchObject({ error: { status: 503 } });
  });
});

/** Each test stops its own connector, under its own namespace, so the suite above is unaffected. */
describe("provider connector: shutdown", () => {
  let fakeUpstream: FakeUpstream;
  let connection: NatsConnection;

  beforeAll(async () => {
    fakeUpstream = await startFakeUpstream();
    connection = await connectTestNats("provider-connector-shutdown");
  });

  afterAll(async () => {
    await connection?.drain();
    await fakeUpstream?.close();
  });

  const namespaces: Subjects[] = [];

  async function startConnector(shutdownGraceMs: number) {
    const subjects = createSubjects(uniqueNamespace("connector"));
    namespaces.push(subjects);
    await publishTestRoutingSnapshot(connection, subjects, fakeEndpoints(fakeUpstream.url));
    const connector = await startProviderConnector({
      connection,
      subjects,
      logger: testLogger("provider-connector"),
      resolveApiKey: () => "sk-test",
      upstreamTimeouts,
      shutdownGraceMs,
    });
    return { subjects, connector };
  }

  it("lets in-flight generations finish, then accepts no more", async () => {
    const { subjects, connector } = await startConnector(3_000);
    fakeUpstream.addRule("finish-during-shutdown", { chunks: ["a", "b", "c", "d", "e", "f"], delayBetweenChunksMs: 40 });
    let stopping: Promise<void> | undefined;
    const generation = await startGeneration(connection, subjects, {
      generationId: "gen-shutdown-finish",
      endpointId: fakeEndpointId,
      userText: "finish-during-shutdown",
      stream: true,
      onPart: (part) => {
        if (part.type === "text-delta") stopping ??= connector.stop();
      },
    });
    const parts = await generation.finished;
    await stopping;

    expect(parts.map((part) => part.type).slice(-3)).toEqual(["finish", "usage", "stream-end"]);
    expect(parts.map((part) => (part.type === "text-delta" ? part.text : "")).join("")).toBe("abcdef");
    const refused = await requestReply(connection, subjects.connectorGenerate, {}, z.unknown()).catch((error: unknown) => error);
    expect((refused as SwitchboardError).error).toMatchObject({ code: gatewayErrorCodes.serviceUnavailable, retryable: true });
  });

  it("aborts generations still running when the grace period ends", async () => {
    const { subjects, connector } = await startConnector(200);
    fakeUpstream.addRule("outlive-shutdown", { chunks: Array.from({ length: 40 }, (_, index) => `${index} `), delayBetweenChunksMs: 50 });
    let stopping: Promise<void> | undefined;
    const generation = await startGeneration(connection, subjects, {
      generationId: "gen-shutdown-abort",
      endpointId: fakeEndpointId,
      userText: "outlive-shutdown",
      stream: true,
      onPart: (part) => {
        if (part.type === "text-delta") stopping ??= connector.stop();
      },
    });
    const parts = await generation.finished;
    await stopping;

    // Not the client's cancel: the request may be retried against another replica.
    expect(parts.at(-1)).toMatchObject({
      type: "error",
      beforeFirstToken: false,
      error: { code: gatewayErrorCodes.serviceUnavailable, status: 503, retryable: true, message: expect.stringMatching(/shutting down.*retry/) },
    });
    const upstream = fakeUpstream.requests.find((request) => JSON.stringify(request.body).includes("outlive-shutdown"));
    await vi.waitFor(() => expect(upstream?.closedAt).toBeTypeOf("number"), { timeout: 1_000 });
  });
});

/** A connector with a short heartbeat interval, under its own namespace, against a slow provider. */
describe("provider connector: heartbeats", () => {
  const subjects = createSubjects(uniqueNamespace("connector"));
  const heartbeatIntervalMs = 50;
  let fakeUpstream: FakeUpstream;
  let connection: NatsConnection;
  let connector: ProviderConnector;

  beforeAll(async () => {
    fakeUpstream = await startFakeUpstream();
    connection = await connectTestNats("provider-connector-heartbeats");
    await publishTestRoutingSnapshot(connection, subjects, fakeEndpoints(fakeUpstream.url));
    connector = await startProviderConnector({
      connection,
      subjects,
      logger: testLogger("provider-connector"),
      resolveApiKey: () => "sk-test",
      upstreamTimeouts,
      heartbeatIntervalMs,
    });
  });

  afterAll(async () => {
    await connector?.stop();
    if (connection) await deleteRoutingBucket(connection, subjects);
    await connection?.drain();
    await fakeUpstream?.close();
  });

  it("publishes numbered heartbeats while the provider is slow, and none after the terminal part", async () => {
    fakeUpstream.addRule("slow-thinker", { chunks: ["think", "ing"], delayBeforeHeadersMs: 300, delayBetweenChunksMs: 150 });
    const generation = await startGeneration(connection, subjects, {
      generationId: `gen-heartbeat-${Date.now()}`,
      endpointId: fakeEndpointId,
      userText: "slow-thinker",
      stream: true,
    });
    const parts = await generation.finished;
    const countAtEnd = parts.length;
    await sleep(heartbeatIntervalMs * 4);
    expect(generation.parts).toHaveLength(countAtEnd);

    expect(parts.map((part) => part.seq)).toEqual(parts.map((_, index) => index));
    expect(parts.at(-1)?.type).toBe("stream-end");
    const types = parts.map((part) => part.type);
    // 300 ms before headers at one per 50 ms: heartbeats arrive before anything else, and between chunks.
    // The provider's own start follows the acceptance (part 0) once its headers came.
    const providerStart = types.indexOf("stream-start", 1);
    expect(types.slice(1, providerStart).filter((type) => type === "heartbeat").length).toBeGreaterThanOrEqual(3);
    expect(types.slice(providerStart).includes("heartbeat")).toBe(true);
    expect(parts.filter((part) => part.type !== "heartbeat").map((part) => part.type)).toEqual([
      "stream-start",
      "stream-start",
      "text-delta",
      "text-delta",
      "finish",
      "usage",
      "stream-end",
    ]);
  });

  it("keeps heartbeating through a failure and stops with its error part", async () => {
    // 600 ms at one heartbeat per 50 ms: at least 2 even when a loaded machine stalls the connector's timers for a while.
    fakeUpstream.addRule("slow-failure", { status: 503, delayBeforeHeadersMs: 600 });
    const generation = await startGeneration(connection, subjects, {
      generationId: `gen-heartbeat-failure-${Date.now()}`,
      endpointId: fakeEndpointId,
      userText: "slow-failure",
      stream: false,
    });
    const parts = await generation.finished;
    const countAtEnd = parts.length;
    await sleep(heartbeatIntervalMs * 4);
    expect(generation.parts).toHaveLength(countAtEnd);
    expect(parts.map((part) => part.seq)).toEqual(parts.map((_, index) => index));
    expect(parts.slice(1, -1).every((part) => part.type === "heartbeat")).toBe(true);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(parts.at(-1)).toMatchObject({ type: "error", beforeFirstToken: true, error: { code: gatewayErrorCodes.upstreamError, retryable: true } });
  });
});
