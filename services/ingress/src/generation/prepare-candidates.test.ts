import type { ChatRequest, RouteRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { prepareCandidates, routeRequestOf } from "./prepare-candidates.js";
import { routeCandidate } from "./route-candidate.test-support.js";

const small = routeCandidate("m@small", { maxCompletionTokens: 100 });
const large = routeCandidate("m@large", { maxCompletionTokens: null, contextLength: 4_000 });

/** Routing that answers with the given candidates and remembers what it was asked. */
function routingOf(candidates = [small, large]) {
  const asked: RouteRequest[] = [];
  return { asked, route: (request: RouteRequest) => (asked.push(request), { candidates, skipped: [] }) };
}

const request = (extra: Partial<ChatRequest> = {}) => ({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra }) as ChatRequest;

describe("prepareCandidates", () => {
  it("asks routing for the model first, then the other requested models once, with the provider preferences", () => {
    const routing = routingOf();
    prepareCandidates(routing, request({ models: ["other", "m", "third"], provider: { order: ["small"] } }), 10);
    expect(routing.asked).toEqual([{ models: ["m", "other", "third"], provider: { order: ["small"] } }]);
  });

  it("prices each candidate at its most: the prompt bound plus its output cap, or its whole context without one", () => {
    expect(prepareCandidates(routingOf(), request(), 10)).toEqual({
      candidates: [
        { candidate: small, maximumCostMicros: 100 },
        { candidate: large, maximumCostMicros: 4_000 },
      ],
      skipped: [],
    });
  });

  it("keeps only the endpoints that can produce the output asked for, priced at that output, and says why the others went", () => {
    expect(prepareCandidates(routingOf(), request({ max_tokens: 500 }), 10)).toEqual({
      candidates: [{ candidate: large, maximumCostMicros: 500 }],
      skipped: [{ endpointId: "m@small", modelId: "m", providerId: "small", reason: "max_tokens" }],
    });
  });

  it("refuses a request no endpoint can honour instead of clamping it", () => {
    expect(() => prepareCandidates(routingOf(), request({ max_completion_tokens: 5_000 }), 10)).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, code: "invalid_request", metadata: { max_tokens: 5_000, maximum: 4_000 } }) }),
    );
  });
});

describe("routeRequestOf", () => {
  const base = { messages: [{ role: "user", content: "hi" }] } as ChatRequest;

  it("routes `models` alone, in order and without repeats (OpenRouter accepts a request without `model`)", () => {
    expect(routeRequestOf({ ...base, models: ["a", "b", "a"] })).toEqual({ models: ["a", "b"] });
  });

  it("puts `model` first and drops it from `models`", () => {
    expect(routeRequestOf({ ...base, model: "b", models: ["a", "b"] })).toEqual({ models: ["b", "a"] });
  });

  it("names the request's parameters only when require_parameters asks for them", () => {
    const withTools = { ...base, model: "a", tools: [{ type: "function" }], temperature: 0.2, max_completion_tokens: 10, seed: null } as ChatRequest;
    expect(routeRequestOf(withTools)).toEqual({ models: ["a"] });
    expect(routeRequestOf({ ...withTools, provider: { require_parameters: true } })).toEqual({
      models: ["a"],
      provider: { require_parameters: true },
      parameters: ["tools", "temperature", "max_tokens"],
    });
  });
});
