import { describe, expect, it } from "vitest";
import type { EndpointHealth, RouteCandidate } from "@switchboard/contracts";
import { modelAEndpoint } from "./model-a-endpoint.test-support.js";
import { rankEndpoints, type RankingRule } from "./rank-endpoints.js";

/** An endpoint of vendor/model-a; `price` is prompt + completion in picodollars per token (all on prompt). */
function endpoint(providerId: string, price: number): RouteCandidate {
  return modelAEndpoint(providerId, String(price), "0");
}

function health(status: EndpointHealth["status"], figures: Partial<EndpointHealth> = {}): EndpointHealth {
  return {
    status,
    ejectedUntil: status === "ejected" ? "2026-11-30T12:00:30.000Z" : null,
    uptimeLast30Seconds: null,
    uptimeLast5Minutes: null,
    latencyP50Milliseconds: null,
    throughputP50TokensPerSecond: null,
    requestsLast5Minutes: 0,
    ...figures,
  };
}

/** mulberry32: a small seeded generator, so the draws (and the test) are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const cheap = endpoint("cheap", 3_000_000);
const middle = endpoint("middle", 4_000_000);
const pricey = endpoint("pricey", 9_000_000);
const endpoints = [pricey, cheap, middle];
const byDefault: RankingRule = { order: undefined, sortBy: undefined };
const providers = (ranked: RouteCandidate[]) => ranked.map((candidate) => candidate.providerId);
const healthOf = (entries: Record<string, EndpointHealth>) => new Map(Object.entries(entries).map(([provider, value]) => [`vendor/model-a@${provider}`, value]));

/** How often each provider came first over `draws` rankings. */
function firstPlaceShares(candidates: RouteCandidate[], draws: number, inputs: Parameters<typeof rankEndpoints>[2]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let draw = 0; draw < draws; draw += 1) {
    const first = rankEndpoints(candidates, byDefault, inputs)[0] as RouteCandidate;
    counts[first.providerId] = (counts[first.providerId] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([provider, count]) => [provider, count / draws]));
}

/** Expected first-place shares: weight 1 / price², normalised. */
function inverseSquareShares(candidates: RouteCandidate[]): Record<string, number> {
  const weights = candidates.map((candidate) => 1 / Number(candidate.price.promptPicosPerToken) ** 2);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return Object.fromEntries(candidates.map((candidate, index) => [candidate.providerId, (weights[index] as number) / total]));
}

describe("rankEndpoints default load balancing (issue 9)", () => {
  const splitTable: { name: string; candidates: RouteCandidate[]; seed: number }[] = [
    { name: "three prices 3 : 4 : 9 (about 60 / 34 / 7 %)", candidates: endpoints, seed: 1 },
    { name: "two prices, one twice the other (80 / 20 %)", candidates: [cheap, endpoint("double", 6_000_000)], seed: 2 },
    { name: "two equal prices (50 / 50 %)", candidates: [cheap, endpoint("same", 3_000_000)], seed: 3 },
    { name: "four prices 1 : 1.5 : 2 : 3", candidates: [endpoint("a", 1_000), endpoint("b", 1_500), endpoint("c", 2_000), endpoint("d", 3_000)], seed: 4 },
  ];
  it.each(splitTable)("splits first places by inverse square of price over 10,000 draws within 2 points: $name", ({ candidates, seed }) => {
    const measured = firstPlaceShares(candidates, 10_000, { random: seededRandom(seed) });
    const expected = inverseSquareShares(candidates);
    for (const [provider, share] of Object.entries(expected)) expect(Math.abs((measured[provider] ?? 0) - share)).toBeLessThan(0.02);
  });

  it("ranks every endpoint once, in a random order", () => {
    const random = seededRandom(5);
    for (let draw = 0; draw < 100; draw += 1) expect(providers(rankEndpoints(endpoints, byDefault, { random })).sort()).toEqual(["cheap", "middle", "pricey"]);
  });

  it("puts ejected endpoints last, cheapest first, and balances the others", () => {
    const inputs = { random: seededRandom(6), health: healthOf({ cheap: health("ejected"), pricey: health("ejected"), middle: health("healthy") }) };
    for (let draw = 0; draw < 50; draw += 1) expect(providers(rankEndpoints(endpoints, byDefault, inputs))).toEqual(["middle", "cheap", "pricey"]);
    const shares = firstPlaceShares([...endpoints, endpoint("other", 4_000_000)], 10_000, { ...inputs, random: seededRandom(7) });
    expect(shares).toEqual({ middle: expect.closeTo(0.5, 1), other: expect.closeTo(0.5, 1) });
    expect(Object.keys(shares).sort()).toEqual(["middle", "other"]);
  });

  it("puts a free endpoint first", () => {
    const random = seededRandom(8);
    for (let draw = 0; draw < 100; draw += 1) expect(providers(rankEndpoints([cheap, endpoint("free", 0)], byDefault, { random }))[0]).toBe("free");
  });

  it("is the price order, ejected last, without a random source", () => {
    expect(providers(rankEndpoints(endpoints, byDefault, {}))).toEqual(["cheap", "middle", "pricey"]);
    expect(providers(rankEndpoints(endpoints, byDefault, { health: healthOf({ cheap: health("ejected") }) }))).toEqual(["middle", "pricey", "cheap"]);
  });
});

describe("rankEndpoints with order and sorts (issue 9)", () => {
  const measured = healthOf({
    cheap: health("healthy", { latencyP50Milliseconds: 900, throughputP50TokensPerSecond: 40 }),
    middle: health("ejected", { latencyP50Milliseconds: 100, throughputP50TokensPerSecond: 300 }),
    pricey: health("healthy", { latencyP50Milliseconds: 200, throughputP50TokensPerSecond: 120 }),
  });
  const table: { name: string; rule: RankingRule; health: Map<string, EndpointHealth>; ranked: string[] }[] = [
    { name: "order: the client's order, then price, health ignored", rule: { order: ["pricey"], sortBy: undefined }, health: measured, ranked: ["pricey", "cheap", "middle"] },
    { name: "order with a sort: order first", rule: { order: ["middle"], sortBy: "latency" }, health: measured, ranked: ["middle", "cheap", "pricey"] },
    { name: "sort price: price only", rule: { order: undefined, sortBy: "price" }, health: measured, ranked: ["cheap", "middle", "pricey"] },
    { name: "sort latency: lowest median first, ejected last", rule: { order: undefined, sortBy: "latency" }, health: measured, ranked: ["pricey", "cheap", "middle"] },
    { name: "sort throughput: highest median first, ejected last", rule: { order: undefined, sortBy: "throughput" }, health: measured, ranked: ["pricey", "cheap", "middle"] },
    {
      name: "sort latency: measured first, unmeasured by price",
      rule: { order: undefined, sortBy: "latency" },
      health: healthOf({ pricey: health("healthy", { latencyP50Milliseconds: 500 }) }),
      ranked: ["pricey", "cheap", "middle"],
    },
    { name: "sort throughput without figures: price", rule: { order: undefined, sortBy: "throughput" }, health: new Map(), ranked: ["cheap", "middle", "pricey"] },
  ];
  it.each(table)("$name", ({ rule, health: figures, ranked }) => {
    expect(providers(rankEndpoints(endpoints, rule, { health: figures, random: seededRandom(9) }))).toEqual(ranked);
  });
});

describe("rankEndpoints with preferred_max_latency / preferred_min_throughput (soft, issue 9)", () => {
  const percentiles = (p50: number) => ({ p50, p75: p50, p90: p50, p99: p50 });
  // cheap is slow (2 s, 10 tok/s), middle is ejected and fast, pricey is fast (300 ms, 90 tok/s).
  const measured = healthOf({
    cheap: health("healthy", { latencyLast5Minutes: percentiles(2_000), throughputLast5Minutes: percentiles(10) }),
    middle: health("ejected", { latencyLast5Minutes: percentiles(100), throughputLast5Minutes: percentiles(200) }),
    pricey: health("healthy", { latencyLast5Minutes: percentiles(300), throughputLast5Minutes: percentiles(90) }),
  });
  const table: { name: string; rule: RankingRule; health: Map<string, EndpointHealth>; ranked: string[] }[] = [
    { name: "default, latency missed: the slow one after the others, ejected still last", rule: { ...byDefault, performance: { maximumLatency: 1 } }, health: measured, ranked: ["pricey", "cheap", "middle"] },
    { name: "default, throughput missed", rule: { ...byDefault, performance: { minimumThroughput: { p50: 50 } } }, health: measured, ranked: ["pricey", "cheap", "middle"] },
    { name: "default, every endpoint meets them: price order", rule: { ...byDefault, performance: { maximumLatency: 5, minimumThroughput: 5 } }, health: measured, ranked: ["cheap", "pricey", "middle"] },
    { name: "default, every endpoint misses them: nothing moves, nothing is left out", rule: { ...byDefault, performance: { maximumLatency: 0.01 } }, health: measured, ranked: ["cheap", "pricey", "middle"] },
    { name: "unmeasured endpoints are not penalised", rule: { ...byDefault, performance: { maximumLatency: 0.01 } }, health: new Map(), ranked: ["cheap", "middle", "pricey"] },
    { name: "sort price: those that meet them first, by price", rule: { order: undefined, sortBy: "price", performance: { maximumLatency: 1 } }, health: measured, ranked: ["middle", "pricey", "cheap"] },
    {
      name: "sort throughput: the sort within each group",
      rule: { order: undefined, sortBy: "throughput", performance: { maximumLatency: { p99: 0.2 } } },
      health: healthOf({ cheap: health("healthy", { throughputP50TokensPerSecond: 100, latencyLast5Minutes: percentiles(500) }), pricey: health("healthy", { throughputP50TokensPerSecond: 50 }) }),
      ranked: ["pricey", "middle", "cheap"],
    },
    { name: "order: the client's order, preferences ignored", rule: { order: ["cheap"], sortBy: undefined, performance: { maximumLatency: 1 } }, health: measured, ranked: ["cheap", "middle", "pricey"] },
  ];
  it.each(table)("$name", ({ rule, health: figures, ranked }) => {
    expect(providers(rankEndpoints(endpoints, rule, { health: figures }))).toEqual(ranked);
  });

  it("balances each group on its own by inverse square of price", () => {
    const fast = health("healthy", { latencyLast5Minutes: percentiles(200) });
    const slow = health("healthy", { latencyLast5Minutes: percentiles(5_000) });
    const candidates = [cheap, middle, pricey, endpoint("other", 4_000_000)];
    const inputs = { random: seededRandom(10), health: healthOf({ cheap: slow, middle: fast, other: fast, pricey: fast }) };
    const rule: RankingRule = { ...byDefault, performance: { maximumLatency: 1 } };
    const firsts: Record<string, number> = {};
    for (let draw = 0; draw < 2_000; draw += 1) {
      const ranked = providers(rankEndpoints(candidates, rule, inputs));
      expect(ranked.at(-1)).toBe("cheap");
      firsts[ranked[0] as string] = (firsts[ranked[0] as string] ?? 0) + 1;
    }
    // middle and other cost the same, pricey 9/4 as much: weights 1 : 1 : 0.198.
    expect((firsts["middle"] ?? 0) / 2_000).toBeCloseTo(0.455, 1);
    expect((firsts["pricey"] ?? 0) / 2_000).toBeCloseTo(0.09, 1);
  });
});
