import { gatewayError, gatewayErrorCodes, SwitchboardError, type ChatRequest, type EndpointHealth, type RouteCandidate } from "@switchboard/contracts";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalRouting } from "../routing/local-routing.js";
import { StickyEndpoints } from "../routing/sticky-endpoints.js";
import { FakeConnectorBus } from "./fake-connector-bus.test-support.js";
import { Generation } from "./generation.js";
import { routeCandidate } from "./route-candidate.test-support.js";

const cheap = routeCandidate("model@cheap");
const pricey = routeCandidate("model@pricey");
const key = { keyId: "key-1", keyHash: "0".repeat(64), accountId: "account-1", name: "laptop" };
const opening = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "first question" },
];

/** How the fake connector answers each endpoint: a failure, or a success reporting this many cached prompt tokens. */
type Behaviour = "fails" | { cachedTokens: number };

const generations: Generation[] = [];
afterEach(() => {
  for (const generation of generations.splice(0)) generation.dispose();
});

/**
 * One generation of a conversation, routed with `cheap` ranked first, served by a fake connector that
 * behaves per endpoint; returns the endpoints tried, in order, and whether the generation succeeded.
 */
async function run(
  sticky: StickyEndpoints,
  behaviours: Record<string, Behaviour>,
  options: { request?: Partial<ChatRequest>; sessionId?: string; health?: Map<string, EndpointHealth>; candidates?: RouteCandidate[]; affordableMicros?: number } = {},
): Promise<{ tried: string[]; succeeded: boolean }> {
  const bus = new FakeConnectorBus();
  const tried: string[] = [];
  bus.onPublish = (message) => {
    if (message.subject !== bus.subjects.connectorGenerate || !message.reply) return;
    const endpointId = JSON.parse(message.payload).endpointId as string;
    tried.push(endpointId);
    const behaviour = behaviours[endpointId] ?? "fails";
    if (behaviour === "fails") {
      bus.sendParts(message.reply, { type: "error", seq: 0, error: { code: "upstream_error", status: 502, message: "down", retryable: true }, beforeFirstToken: true });
      return;
    }
    bus.sendParts(message.reply, [
      { type: "stream-start", seq: 0, upstreamId: null },
      { type: "text-delta", seq: 1, text: "Hello" },
      { type: "finish", seq: 2, finishReason: "stop", nativeFinishReason: "stop" },
      { type: "usage", seq: 3, usage: { promptTokens: 100, completionTokens: 1, cachedPromptTokens: behaviour.cachedTokens, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: "stream-end", seq: 4 },
    ]);
  };
  const clients = {
    ...bus.clients({ requestTimeoutMs: 500 }),
    request: async (_subject: string, payload: { amountMicros: number }) => {
      if (payload.amountMicros > (options.affordableMicros ?? Infinity)) throw new SwitchboardError(gatewayError(gatewayErrorCodes.insufficientCredits, 402, "Insufficient credits"));
      return { amountMicros: payload.amountMicros };
    },
    publisher: { publish: async () => undefined },
  } as unknown as ConstructorParameters<typeof Generation>[0]["clients"];
  const candidates: RouteCandidate[] = options.candidates ?? [cheap, pricey];
  const routing = {
    route: () => ({ candidates, skipped: [] }),
    smallestContextLength: () => 0,
    catalog: () => ({ table: { models: new Map(), endpoints: new Map(), health: options.health ?? new Map() }, loadedAt: "" }),
  } as unknown as LocalRouting;
  const request = { model: "model", messages: opening, ...options.request } as ChatRequest;
  const generation = new Generation({
    clients,
    routing,
    idleTimeoutMs: 30_000,
    maximumDurationMs: 60_000,
    shutdownSignal: new AbortController().signal,
    key,
    request,
    promptBytes: 10,
    leases: null,
    stickyEndpoints: sticky,
    sessionId: options.sessionId,
  });
  generations.push(generation);
  await generation.prepare();
  try {
    await generation.connect(new AbortController().signal);
  } catch {
    return { tried, succeeded: false };
  }
  for await (const part of generation.parts(new AbortController().signal)) void part;
  return { tried, succeeded: true };
}

const laterTurn = { messages: [...opening, { role: "assistant", content: "Hello" }, { role: "user", content: "second question" }] } as Partial<ChatRequest>;
const ejected: EndpointHealth = {
  status: "ejected",
  ejectedUntil: new Date(Date.now() + 30_000).toISOString(),
  uptimeLast30Seconds: 0,
  uptimeLast5Minutes: 0,
  latencyP50Milliseconds: null,
  throughputP50TokensPerSecond: null,
  requestsLast5Minutes: 3,
};

describe("Generation with sticky routing (issue 9)", () => {
  it("files the endpoint under the model that served, so a `models` fallback does not overwrite the first model's", async () => {
    const [firstA, secondA, onlyB] = [routeCandidate("a@one"), routeCandidate("a@two"), routeCandidate("b@one")];
    const candidates = [firstA, secondA, onlyB];
    const sticky = new StickyEndpoints();
    const session = { sessionId: "conversation-1", candidates };
    expect((await run(sticky, { [secondA.endpointId]: { cachedTokens: 0 } }, session)).tried).toEqual([firstA.endpointId, secondA.endpointId]);
    // Model a is down altogether: b serves, and is remembered for b.
    expect((await run(sticky, { [onlyB.endpointId]: { cachedTokens: 0 } }, session)).tried).toEqual([secondA.endpointId, firstA.endpointId, onlyB.endpointId]);
    // a is back: its sticky endpoint leads again.
    const everyoneServes = { [firstA.endpointId]: { cachedTokens: 0 }, [secondA.endpointId]: { cachedTokens: 0 }, [onlyB.endpointId]: { cachedTokens: 0 } };
    expect((await run(sticky, everyoneServes, session)).tried).toEqual([secondA.endpointId]);
  });

  it("routes as usual rather than answer 402 when the account cannot cover the sticky endpoint but can cover the first", async () => {
    const dear = routeCandidate("model@dear", { price: { promptPicosPerToken: "0", completionPicosPerToken: "50000000" } });
    const sticky = new StickyEndpoints();
    const candidates = [cheap, dear];
    const session = { sessionId: "conversation-2", candidates };
    expect((await run(sticky, { [dear.endpointId]: { cachedTokens: 0 } }, session)).tried).toEqual([cheap.endpointId, dear.endpointId]);
    // The account now covers `cheap` alone (its bound at 1 µ$ per token, whatever the output cap is), not `dear`.
    const outcome = await run(sticky, { [cheap.endpointId]: { cachedTokens: 0 }, [dear.endpointId]: { cachedTokens: 0 } }, { ...session, affordableMicros: 40_000 });
    expect(outcome).toEqual({ tried: [cheap.endpointId], succeeded: true });
  });

  it("keeps a conversation on the endpoint whose prompt cache it read, though routing ranks another first", async () => {
    const sticky = new StickyEndpoints();
    // `cheap` fails, `pricey` serves from its cache: the conversation sticks to `pricey`.
    expect(await run(sticky, { [pricey.endpointId]: { cachedTokens: 80 } })).toEqual({ tried: [cheap.endpointId, pricey.endpointId], succeeded: true });
    const both = { [cheap.endpointId]: { cachedTokens: 0 }, [pricey.endpointId]: { cachedTokens: 80 } };
    expect((await run(sticky, both, { request: laterTurn })).tried).toEqual([pricey.endpointId]);
    // Another conversation is routed as usual.
    expect((await run(sticky, both, { request: { messages: [{ role: "user", content: "unrelated" }] } as Partial<ChatRequest> })).tried).toEqual([cheap.endpointId]);
  });

  it("does not stick for a cache read on an endpoint whose cache-read price saves nothing", async () => {
    const price = { promptPicosPerToken: "1000000", completionPicosPerToken: "1000000" };
    const noSaving = routeCandidate("model@no-saving", { price: { ...price, cacheReadPicosPerToken: "1000000" } });
    const saving = routeCandidate("model@saving", { price: { ...price, cacheReadPicosPerToken: "100000" } });
    const sticky = new StickyEndpoints();
    await run(sticky, { [noSaving.endpointId]: { cachedTokens: 80 } }, { candidates: [cheap, noSaving] });
    expect(sticky.size).toBe(0);
    await run(sticky, { [saving.endpointId]: { cachedTokens: 80 } }, { candidates: [cheap, saving] });
    expect(sticky.size).toBe(1);
  });

  it("does not stick without a cache read, unless the request names a session", async () => {
    const sticky = new StickyEndpoints();
    await run(sticky, { [pricey.endpointId]: { cachedTokens: 0 } });
    expect(sticky.size).toBe(0);
    const both = { [cheap.endpointId]: { cachedTokens: 0 }, [pricey.endpointId]: { cachedTokens: 0 } };
    expect((await run(sticky, both, { request: laterTurn })).tried).toEqual([cheap.endpointId]);

    await run(sticky, { [pricey.endpointId]: { cachedTokens: 0 } }, { sessionId: "session-1" });
    expect((await run(sticky, both, { sessionId: "session-1", request: { messages: [{ role: "user", content: "other words" }] } as Partial<ChatRequest> })).tried).toEqual([
      pricey.endpointId,
    ]);
  });

  it("leaves the entry as it was when the sticky endpoint fails, whether or not another endpoint serves", async () => {
    const sticky = new StickyEndpoints();
    await run(sticky, { [pricey.endpointId]: { cachedTokens: 80 } });
    // The sticky endpoint fails; `cheap` serves without a cache read: no update.
    expect((await run(sticky, { [cheap.endpointId]: { cachedTokens: 0 } }, { request: laterTurn })).tried).toEqual([pricey.endpointId, cheap.endpointId]);
    // Everything fails: no update either.
    expect(await run(sticky, {}, { request: laterTurn })).toEqual({ tried: [pricey.endpointId, cheap.endpointId], succeeded: false });
    const both = { [cheap.endpointId]: { cachedTokens: 0 }, [pricey.endpointId]: { cachedTokens: 80 } };
    expect((await run(sticky, both, { request: laterTurn })).tried).toEqual([pricey.endpointId]);
  });

  it("is off when provider.order is set: the entry is neither used nor written", async () => {
    const sticky = new StickyEndpoints();
    await run(sticky, { [pricey.endpointId]: { cachedTokens: 80 } }, { sessionId: "ordered", request: { provider: { order: ["cheap"] } } });
    expect(sticky.size).toBe(0);
    await run(sticky, { [pricey.endpointId]: { cachedTokens: 80 } });
    const both = { [cheap.endpointId]: { cachedTokens: 0 }, [pricey.endpointId]: { cachedTokens: 80 } };
    expect((await run(sticky, both, { request: { ...laterTurn, provider: { order: ["cheap", "pricey"] } } })).tried).toEqual([cheap.endpointId]);
  });

  it("does not lead with a sticky endpoint the routing snapshot has ejected", async () => {
    const sticky = new StickyEndpoints();
    await run(sticky, { [pricey.endpointId]: { cachedTokens: 80 } });
    const both = { [cheap.endpointId]: { cachedTokens: 0 }, [pricey.endpointId]: { cachedTokens: 80 } };
    expect((await run(sticky, both, { request: laterTurn, health: new Map([[pricey.endpointId, ejected]]) })).tried).toEqual([cheap.endpointId]);
  });
});
