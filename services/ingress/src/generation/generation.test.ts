import type { ChatRequest, GenerateRequest, GenerationCompleted, RouteCandidate } from "@switchboard/contracts";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalRouting } from "../routing/local-routing.js";
import type { FallbackPolicy } from "./fallback-policy.js";
import { FakeConnectorBus } from "./fake-connector-bus.test-support.js";
import { Generation } from "./generation.js";
import { OutstandingFacts } from "./outstanding-facts.js";
import { routeCandidate } from "./route-candidate.test-support.js";

const silent = routeCandidate("model@silent");
const working = routeCandidate("model@working");
const key = { keyId: "key-1", keyHash: "0".repeat(64), accountId: "account-1", name: "laptop" };
const request = { model: "model", messages: [{ role: "user", content: "hi" }], stream: true } as ChatRequest;
const usage = { promptTokens: 2, completionTokens: 3, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/** The stack around one generation: billing holds anything, one connector serves only `working`. */
function stack(options: { requestTimeoutMs: number; candidates?: RouteCandidate[]; fallback?: FallbackPolicy; ingressId?: string; outstandingFacts?: OutstandingFacts; factStored?: Promise<void> }) {
  const bus = new FakeConnectorBus();
  const facts: GenerationCompleted[] = [];
  bus.onPublish = (message) => {
    if (message.subject !== bus.subjects.connectorGenerate || !message.reply) return;
    const inbox = message.reply;
    // The connector replica serving the silent endpoint took the message and hangs.
    if (JSON.parse(message.payload).endpointId !== working.endpointId) return;
    bus.sendParts(inbox, { type: "stream-start", seq: 0, upstreamId: null });
    bus.sendParts(inbox, { type: "text-delta", seq: 1, text: "Hello" });
    bus.sendParts(inbox, [
      { type: "finish", seq: 2, finishReason: "stop", nativeFinishReason: "stop" },
      { type: "usage", seq: 3, usage },
      { type: "stream-end", seq: 4 },
    ]);
  };
  const clients = {
    ...bus.clients({ requestTimeoutMs: options.requestTimeoutMs }),
    request: async (_subject: string, payload: { amountMicros: number }) => ({ amountMicros: payload.amountMicros }),
    publisher: {
      publish: async (_subject: string, fact: GenerationCompleted) => {
        facts.push(fact);
        await options.factStored;
      },
    },
  } as unknown as ConstructorParameters<typeof Generation>[0]["clients"];
  const routing = { route: () => ({ candidates: options.candidates ?? [silent, working], skipped: [] }), smallestContextLength: () => 0 } as unknown as LocalRouting;
  const shutdown = new AbortController();
  const generation = new Generation({ clients, routing, idleTimeoutMs: 30_000, maximumDurationMs: 60_000, shutdownSignal: shutdown.signal, key, request, promptBytes: 10, leases: null, ...(options.fallback ? { fallback: options.fallback } : {}), ...(options.ingressId ? { ingressId: options.ingressId } : {}), ...(options.outstandingFacts ? { outstandingFacts: options.outstandingFacts } : {}) });
  generations.push(generation);
  return { bus, facts, generation };
}

const generations: Generation[] = [];
afterEach(() => {
  for (const generation of generations.splice(0)) generation.dispose();
});

describe("Generation", () => {
  it("falls back from a connector that never takes the request once the acceptance timeout passes, and records both attempts", async () => {
    const { bus, facts, generation } = stack({ requestTimeoutMs: 150 });
    await generation.prepare();
    const startedAt = performance.now();
    await generation.connect(new AbortController().signal);
    const waitedMs = performance.now() - startedAt;
    expect(waitedMs).toBeGreaterThanOrEqual(140);
    expect(waitedMs).toBeLessThan(1_000);
    expect(generation.candidate).toBe(working);
    expect(generation.attempts).toEqual([
      { endpointId: silent.endpointId, providerId: silent.providerId, status: 503, errorCode: "service_unavailable", modelId: "model", providerName: "silent", latencyMs: expect.any(Number) },
      { endpointId: working.endpointId, providerId: working.providerId, status: 200, errorCode: null, modelId: "model", providerName: "working", latencyMs: expect.any(Number) },
    ]);
    // The silent one was given up after the acceptance timeout.
    expect(generation.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(140);
    // The silent replica may have taken the request after all: it is told to stop.
    expect(bus.publishedTo(bus.subjects.connectorCancel(generation.id))).toHaveLength(1);

    const relayed = [];
    for await (const part of generation.parts(new AbortController().signal)) relayed.push(part.type);
    expect(relayed).toEqual(["stream-start", "text-delta", "finish", "usage", "stream-end"]);
    expect(generation.accumulator.text).toBe("Hello");
    generation.publishFact(true);
    generation.publishFact(true);
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({ generationId: generation.id, endpointId: working.endpointId, status: "success", usage, usageEstimated: false, attempts: generation.attempts });
    expect(bus.inbox.size).toBe(0);
  });

  it("names the replica, account, key, attempt and the attempt's reserved price in each generate request, for the connector's usage report (issue 10)", async () => {
    const dearer = routeCandidate("model@working", { price: { promptPicosPerToken: "0", completionPicosPerToken: "3000000" } });
    const { bus, generation } = stack({ requestTimeoutMs: 150, ingressId: "ingress-test-1", candidates: [silent, dearer] });
    await generation.prepare();
    await generation.connect(new AbortController().signal);
    const sent = bus.publishedTo(bus.subjects.connectorGenerate).map((message) => JSON.parse(message.payload) as GenerateRequest);
    expect(sent.map((message) => message.origin)).toEqual([
      { ingressId: "ingress-test-1", accountId: key.accountId, keyId: key.keyId, attempt: 0, price: silent.price },
      { ingressId: "ingress-test-1", accountId: key.accountId, keyId: key.keyId, attempt: 1, price: dearer.price },
    ]);
    // Without a replica name (tests, older callers) nothing extra travels.
    const { bus: plainBus, generation: plain } = stack({ requestTimeoutMs: 150 });
    await plain.prepare();
    await plain.connect(new AbortController().signal);
    expect(plainBus.publishedTo(plainBus.subjects.connectorGenerate).every((message) => !("origin" in JSON.parse(message.payload)))).toBe(true);
  });

  it("numbers the generation for its replica's heartbeat and gives the number back once its fact is stored (issue 10)", async () => {
    const outstandingFacts = new OutstandingFacts();
    outstandingFacts.open();
    let storeFact: () => void = () => undefined;
    const factStored = new Promise<void>((resolve) => (storeFact = resolve));
    const { bus, generation } = stack({ requestTimeoutMs: 150, ingressId: "ingress-test-1", outstandingFacts, factStored });
    await generation.prepare();
    await generation.connect(new AbortController().signal);
    const sent = bus.publishedTo(bus.subjects.connectorGenerate).map((message) => JSON.parse(message.payload) as GenerateRequest);
    // Both attempts carry the generation's one number.
    expect(sent.map((message) => message.origin?.factSequence)).toEqual([1, 1]);
    for await (const part of generation.parts(new AbortController().signal)) void part;
    generation.publishFact(true);
    expect(outstandingFacts.describe()).toEqual({ issuedThrough: 1, outstanding: [0, 1] });
    storeFact();
    await new Promise((resolve) => setImmediate(resolve));
    expect(outstandingFacts.describe()).toEqual({ issuedThrough: 1, outstanding: [0] });
  });

  it("gives the number back when nothing was held, and takes none when no attempt was sent", async () => {
    const outstandingFacts = new OutstandingFacts();
    const { generation } = stack({ requestTimeoutMs: 150, ingressId: "ingress-test-1", outstandingFacts });
    // Refused before any attempt (routing, credit): nothing held, no number taken.
    generation.publishFact(false);
    expect(outstandingFacts.describe()).toEqual({ issuedThrough: -1, outstanding: [] });
  });

  it("throws the last failure and records it when no candidate answers", async () => {
    const { facts, generation, bus } = stack({ requestTimeoutMs: 50 });
    bus.onPublish = () => undefined;
    await generation.prepare();
    await expect(generation.connect(new AbortController().signal)).rejects.toMatchObject({ error: { status: 503, code: "service_unavailable" } });
    generation.publishFact(false);
    expect(facts[0]).toMatchObject({ status: "error", errorCode: "service_unavailable", endpointId: working.endpointId, usage: { completionTokens: 0 } });
    expect(facts[0]?.attempts.map((attempt) => attempt.status)).toEqual([503, 503]);
  });

  it("moves to the next model on a failure that ends a model's provider fallback, skipping that model's other endpoints (issue 9)", async () => {
    const refusing = routeCandidate("first@refusing");
    const sibling = routeCandidate("first@sibling");
    const otherModel = routeCandidate("second@working", { endpointId: working.endpointId });
    const { bus, generation } = stack({ requestTimeoutMs: 500, candidates: [refusing, sibling, otherModel] });
    const answer = bus.onPublish;
    bus.onPublish = (message) => {
      if (message.subject === bus.subjects.connectorGenerate && message.reply && JSON.parse(message.payload).endpointId === refusing.endpointId) {
        bus.sendParts(message.reply, { type: "error", seq: 0, error: { code: "upstream_error", status: 400, message: "context too long", retryable: false }, beforeFirstToken: true });
        return;
      }
      answer?.(message);
    };
    await generation.prepare();
    await generation.connect(new AbortController().signal);
    expect(generation.candidate).toBe(otherModel);
    expect(generation.attempts.map((attempt) => [attempt.endpointId, attempt.status])).toEqual([
      [refusing.endpointId, 400],
      [working.endpointId, 200],
    ]);
  });

  it.each([
    ["the next model refuses it too", [routeCandidate("first@refusing"), working], 2],
    ["the other endpoint serves the same model", [routeCandidate("model@refusing"), working], 1],
  ])("answers a non-retryable failure when %s", async (_case, candidates, attempts) => {
    const { bus, generation } = stack({ requestTimeoutMs: 500, candidates });
    bus.onPublish = (message) => {
      if (message.subject !== bus.subjects.connectorGenerate || !message.reply) return;
      bus.sendParts(message.reply, { type: "error", seq: 0, error: { code: "upstream_error", status: 400, message: "bad", retryable: false }, beforeFirstToken: true });
    };
    await generation.prepare();
    await expect(generation.connect(new AbortController().signal)).rejects.toMatchObject({ error: { status: 400 } });
    expect(generation.attempts).toHaveLength(attempts);
  });

  it("tries at most the allowed attempts per model, then the next model's endpoints with their own allowance", async () => {
    const failing = ["a", "b", "c", "d"].map((name) => routeCandidate(`first@${name}`));
    const secondModel = [routeCandidate("second@a"), routeCandidate("second@b", { endpointId: working.endpointId })];
    const { bus, generation } = stack({ requestTimeoutMs: 500, candidates: [...failing, ...secondModel], fallback: { maximumAttemptsPerModel: 2, deadlineMs: 60_000 } });
    const answer = bus.onPublish;
    bus.onPublish = (message) => {
      if (message.subject === bus.subjects.connectorGenerate && message.reply && JSON.parse(message.payload).endpointId !== working.endpointId) {
        bus.sendParts(message.reply, { type: "error", seq: 0, error: { code: "upstream_error", status: 502, message: "down", retryable: true }, beforeFirstToken: true });
        return;
      }
      answer?.(message);
    };
    await generation.prepare();
    await generation.connect(new AbortController().signal);
    expect(generation.attempts.map((attempt) => [attempt.endpointId, attempt.status])).toEqual([
      [failing[0]?.endpointId, 502],
      [failing[1]?.endpointId, 502],
      [secondModel[0]?.endpointId, 502],
      [working.endpointId, 200],
    ]);
  });

  it("answers the last error when the allowance is used up, naming the endpoint that gave it", async () => {
    const failing = ["a", "b", "c", "d"].map((name) => routeCandidate(`model@${name}`));
    const { bus, generation, facts } = stack({ requestTimeoutMs: 500, candidates: failing });
    bus.onPublish = (message) => {
      if (message.subject !== bus.subjects.connectorGenerate || !message.reply) return;
      bus.sendParts(message.reply, { type: "error", seq: 0, error: { code: "upstream_rate_limited", status: 429, message: "slow down", retryable: true }, beforeFirstToken: true });
    };
    await generation.prepare();
    await expect(generation.connect(new AbortController().signal)).rejects.toMatchObject({ error: { status: 429 } });
    // The default policy: three attempts.
    expect(generation.attempts.map((attempt) => attempt.endpointId)).toEqual(failing.slice(0, 3).map((candidate) => candidate.endpointId));
    generation.publishFact(false);
    expect(facts[0]).toMatchObject({ status: "error", endpointId: failing[2]?.endpointId });
  });

  it("answers the provider's failure, with its message, when a later attempt never reached a provider", async () => {
    const limited = routeCandidate("model@limited");
    const { bus, generation } = stack({ requestTimeoutMs: 50, candidates: [limited, silent] });
    const providerFailure = {
      code: "upstream_rate_limited" as const,
      status: 429,
      message: "The provider (Gemini API) is rate limiting requests",
      retryable: true,
      metadata: { raw: "Resource has been exhausted (e.g. check quota).", provider_name: "Google AI Studio" },
    };
    bus.onPublish = (message) => {
      if (message.subject !== bus.subjects.connectorGenerate || !message.reply) return;
      // `silent` is taken by no connector: its attempt ends with the acceptance timeout (a 503 of ingress's own).
      if (JSON.parse(message.payload).endpointId !== limited.endpointId) return;
      bus.sendParts(message.reply, { type: "error", seq: 0, error: providerFailure, beforeFirstToken: true });
    };
    await generation.prepare();
    await expect(generation.connect(new AbortController().signal)).rejects.toMatchObject({ error: providerFailure });
    expect(generation.attempts.map((attempt) => attempt.status)).toEqual([429, 503]);
  });

  it("starts no fallback attempt after the deadline, and does not cut the running one short", async () => {
    const { generation } = stack({ requestTimeoutMs: 150, candidates: [silent, routeCandidate("model@silent-too"), working], fallback: { maximumAttemptsPerModel: 3, deadlineMs: 100 } });
    await generation.prepare();
    const startedAt = performance.now();
    await expect(generation.connect(new AbortController().signal)).rejects.toMatchObject({ error: { status: 503 } });
    // The first attempt ran its whole acceptance timeout (150 ms), past the 100 ms deadline; no second one started.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
    expect(generation.attempts.map((attempt) => attempt.endpointId)).toEqual([silent.endpointId]);
  });

  it("publishes no fact when nothing was held", () => {
    const { facts, generation } = stack({ requestTimeoutMs: 50 });
    generation.publishFact(false);
    expect(facts).toEqual([]);
  });
});
