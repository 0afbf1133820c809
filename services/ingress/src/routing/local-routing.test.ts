import { describe, expect, it } from "vitest";
import { SwitchboardError, type RouteCandidate, type RoutingSnapshot } from "@switchboard/contracts";
import { LocalRouting } from "./local-routing.js";

function endpoint(providerId: string, prompt: string): RouteCandidate {
  return {
    endpointId: `acme/one@${providerId}`,
    modelId: "acme/one",
    providerId,
    providerName: providerId,
    api: "openai",
    baseUrl: `http://${providerId}.test/v1`,
    apiKeyEnv: null,
    upstreamModel: "one",
    price: { promptPicosPerToken: prompt, completionPicosPerToken: "1" },
    contextLength: 1000,
    maxCompletionTokens: null,
    supportedParameters: [],
    dataPolicy: { training: false, retainsPrompts: false, retentionDays: null, zdr: true },
  };
}

function snapshot(publishedAt: string, endpoints: RouteCandidate[]): RoutingSnapshot {
  return {
    version: 1,
    loadedAt: publishedAt,
    publishedAt,
    models: [{ id: "acme/one", name: "One", description: "", contextLength: 1000, inputModalities: ["text"], outputModalities: ["text"], endpoints, unconfiguredProviders: [] }],
  };
}

describe("LocalRouting", () => {
  it("is not ready and answers a retryable 503 before the first snapshot", () => {
    const routing = new LocalRouting();
    expect(routing.status()).toEqual({ ready: false, revision: null, ageMs: null });
    const failure = (() => {
      try {
        routing.route({ models: ["acme/one"] });
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(SwitchboardError);
    expect((failure as SwitchboardError).error).toMatchObject({ status: 503, retryable: true });
  });

  it("routes from the latest snapshot and reports its revision and age", () => {
    let now = Date.parse("2026-01-01T00:00:10.000Z");
    // A random source of 0 puts the cheapest endpoint first every time (the weighted draw's first slot).
    const routing = new LocalRouting(() => now, () => 0);
    routing.apply({ revision: 3, snapshot: snapshot("2026-01-01T00:00:00.000Z", [endpoint("beta", "5"), endpoint("alpha", "9")]) });
    expect(routing.route({ models: ["acme/one"] }).candidates.map((candidate) => candidate.providerId)).toEqual(["beta", "alpha"]);
    expect(routing.status()).toEqual({ ready: true, revision: 3, ageMs: 10_000 });

    routing.apply({ revision: 4, snapshot: snapshot("2026-01-01T00:00:10.000Z", [endpoint("beta", "5"), endpoint("alpha", "1")]) });
    now += 250;
    expect(routing.route({ models: ["acme/one"] }).candidates.map((candidate) => candidate.providerId)).toEqual(["alpha", "beta"]);
    expect(routing.status()).toEqual({ ready: true, revision: 4, ageMs: 250 });
  });

  it("ranks an endpoint the snapshot says is ejected last, and balances by price otherwise (issue 9)", () => {
    const routing = new LocalRouting(Date.now, () => 0.99);
    const ejected = {
      status: "ejected" as const,
      ejectedUntil: "2026-01-01T00:00:30.000Z",
      uptimeLast30Seconds: 0,
      uptimeLast5Minutes: 0.5,
      latencyP50Milliseconds: null,
      throughputP50TokensPerSecond: null,
      requestsLast5Minutes: 6,
    };
    const endpoints = [endpoint("beta", "5"), endpoint("alpha", "1"), endpoint("gamma", "5")];
    routing.apply({ revision: 1, snapshot: { ...snapshot("2026-01-01T00:00:00.000Z", endpoints), version: 2, health: { "acme/one@alpha": ejected } } });
    // 0.99 draws the last slot of the weighted order: of beta and gamma (equal prices), gamma.
    expect(routing.route({ models: ["acme/one"] }).candidates.map((candidate) => candidate.providerId)).toEqual(["gamma", "beta", "alpha"]);
  });
});
