import type { EndpointHealth, RoutingModel } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { routeCandidate } from "../generation/route-candidate.test-support.js";
import { describeRouting, wantsRoutingDebug, type RoutingDecision } from "./describe-routing.js";

const cheap = routeCandidate("vendor/model@cheap");
const pricey = routeCandidate("vendor/model@pricey");
const down = routeCandidate("vendor/model@down");
const model: RoutingModel = {
  id: "vendor/model",
  name: "Model",
  description: "",
  contextLength: 8_000,
  inputModalities: ["text"],
  outputModalities: ["text"],
  endpoints: [cheap, pricey, down],
  unconfiguredProviders: [],
};
const health = (status: EndpointHealth["status"]): EndpointHealth => ({
  status,
  ejectedUntil: null,
  uptimeLast30Seconds: 1,
  uptimeLast5Minutes: 1,
  latencyP50Milliseconds: 200,
  throughputP50TokensPerSecond: 50,
  requestsLast5Minutes: 10,
});
const snapshot = {
  models: new Map([[model.id, model]]),
  health: new Map([
    [cheap.endpointId, health("healthy")],
    [down.endpointId, health("ejected")],
  ]),
};
const decision = (overrides: Partial<RoutingDecision>): RoutingDecision => ({
  models: ["vendor/model"],
  provider: undefined,
  candidates: [cheap, pricey, down],
  skipped: [],
  stickyEndpointId: null,
  attempts: null,
  ...overrides,
});
const parse = (header: string) => JSON.parse(header) as Record<string, { why?: string; health?: string }[]>;

describe("describeRouting", () => {
  it("lists the candidates in order with their health and why, and the skipped endpoints with their reason", () => {
    const header = describeRouting(
      decision({ skipped: [{ endpointId: "vendor/model@ignored", modelId: "vendor/model", providerId: "ignored", reason: "ignored" }] }),
      snapshot,
    );
    expect(JSON.parse(header)).toEqual({
      candidates: [
        { provider: "cheap", endpoint: "vendor/model@cheap", model: "vendor/model", health: "healthy", why: "weighted" },
        { provider: "pricey", endpoint: "vendor/model@pricey", model: "vendor/model", health: "unmeasured", why: "weighted" },
        { provider: "down", endpoint: "vendor/model@down", model: "vendor/model", health: "ejected", why: "ejected_last" },
      ],
      skipped: [{ provider: "ignored", endpoint: "vendor/model@ignored", model: "vendor/model", reason: "ignored" }],
    });
  });

  it("says sticky, order, price or the sort, as ranking placed each endpoint", () => {
    expect(parse(describeRouting(decision({ stickyEndpointId: pricey.endpointId, candidates: [pricey, cheap, down] }), snapshot))["candidates"]?.map((entry) => entry.why)).toEqual([
      "sticky",
      "weighted",
      "ejected_last",
    ]);
    expect(parse(describeRouting(decision({ provider: { order: ["Pricey"] }, candidates: [pricey, cheap] }), snapshot))["candidates"]?.map((entry) => entry.why)).toEqual(["order", "price"]);
    expect(parse(describeRouting(decision({ models: ["vendor/model:floor"] }), snapshot))["candidates"]?.map((entry) => entry.why)).toEqual(["sort:price", "sort:price", "sort:price"]);
    expect(parse(describeRouting(decision({ models: ["vendor/model:nitro"] }), snapshot))["candidates"]?.map((entry) => entry.why)).toEqual([
      "sort:throughput",
      "sort:throughput",
      "ejected_last",
    ]);
    expect(parse(describeRouting(decision({ models: ["vendor/model:nitro"], provider: { sort: { by: "latency" } } }), snapshot))["candidates"]?.[0]?.why).toBe("sort:latency");
  });

  it("adds the attempts when given, and bounds its lists so the header stays small", () => {
    const attempts = [
      { endpointId: cheap.endpointId, providerId: "cheap", status: 502, errorCode: "upstream_error" },
      { endpointId: pricey.endpointId, providerId: "pricey", status: 200, errorCode: null },
    ];
    expect(JSON.parse(describeRouting(decision({ attempts }), snapshot))["attempts"]).toEqual([
      { provider: "cheap", endpoint: cheap.endpointId, status: 502, error_code: "upstream_error" },
      { provider: "pricey", endpoint: pricey.endpointId, status: 200, error_code: null },
    ]);
    // Ids have no length limit: the lists are cut by size, the candidates keeping their room first.
    const long = "x".repeat(400);
    const many = Array.from({ length: 100 }, (_, index) => ({ endpointId: `vendor/model@p${index}${long}`, modelId: "vendor/model", providerId: `p${index}`, reason: "ignored" as const }));
    const manyAttempts = Array.from({ length: 40 }, (_, index) => ({ endpointId: `vendor/model@a${index}${long}`, providerId: `a${index}`, status: 502, errorCode: "upstream_error" }));
    const header = describeRouting(decision({ skipped: many, attempts: manyAttempts }), snapshot);
    const parsed = JSON.parse(header) as { candidates: unknown[]; attempts: unknown[]; skipped: unknown[]; omitted: { candidates: number; attempts: number; skipped: number } };
    expect(header.length).toBeLessThanOrEqual(8_192);
    expect(parsed.candidates.length).toBeGreaterThan(0);
    expect(parsed.attempts.length).toBeGreaterThan(0);
    expect(parsed.omitted).toEqual({ candidates: 0, attempts: 40 - parsed.attempts.length, skipped: 100 - parsed.skipped.length });
    expect(parsed.omitted.skipped).toBe(100);
  });

  it("escapes what a header value cannot carry", () => {
    const unicode = routeCandidate("vendor/model@münchen");
    const header = describeRouting(decision({ candidates: [unicode] }), snapshot);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(parse(header)["candidates"]).toMatchObject([{ provider: "münchen" }]);
  });
});

describe("wantsRoutingDebug", () => {
  it("is true only for the routing token, alone or in a list", () => {
    expect(wantsRoutingDebug("routing")).toBe(true);
    expect(wantsRoutingDebug("echo, Routing")).toBe(true);
    expect(wantsRoutingDebug(["other", "routing"])).toBe(true);
    expect(wantsRoutingDebug(undefined)).toBe(false);
    expect(wantsRoutingDebug("routings")).toBe(false);
  });
});
