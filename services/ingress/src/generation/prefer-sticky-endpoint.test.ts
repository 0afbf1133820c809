import type { EndpointHealth } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { preferStickyEndpoint } from "./prefer-sticky-endpoint.js";
import { routeCandidate } from "./route-candidate.test-support.js";

const priced = (endpointId: string) => ({ candidate: routeCandidate(endpointId), maximumCostMicros: 1 });
const ids = (candidates: { candidate: { endpointId: string } }[] | null) => candidates?.map((entry) => entry.candidate.endpointId) ?? null;
const health = (status: EndpointHealth["status"]): EndpointHealth => ({
  status,
  ejectedUntil: null,
  uptimeLast30Seconds: null,
  uptimeLast5Minutes: null,
  latencyP50Milliseconds: null,
  throughputP50TokensPerSecond: null,
  requestsLast5Minutes: 0,
});

describe("preferStickyEndpoint", () => {
  const candidates = [priced("model@a"), priced("model@b"), priced("model@c"), priced("fallback@d")];

  it("moves the sticky endpoint to the front and keeps the others in their order", () => {
    expect(ids(preferStickyEndpoint(candidates, "model@c", new Map()))).toEqual(["model@c", "model@a", "model@b", "fallback@d"]);
    expect(ids(preferStickyEndpoint(candidates, "model@a", new Map([["model@a", health("healthy")]])))).toEqual(["model@a", "model@b", "model@c", "fallback@d"]);
  });

  it("never adds an endpoint the request's filters left out", () => {
    expect(preferStickyEndpoint(candidates, "model@gone", new Map())).toBeNull();
  });

  it("does not lead with an ejected endpoint", () => {
    expect(preferStickyEndpoint(candidates, "model@b", new Map([["model@b", health("ejected")]]))).toBeNull();
  });

  it("does not put a fallback model's endpoint before the first model's", () => {
    expect(preferStickyEndpoint(candidates, "fallback@d", new Map())).toBeNull();
  });
});
