import type { ChatRequest, RouteRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { prepareCandidates } from "./prepare-candidates.js";
import { routeCandidate } from "./route-candidate.test-support.js";

const small = routeCandidate("m@small", { maxCompletionTokens: 100 });
const large = routeCandidate("m@large", { maxCompletionTokens: null, contextLength: 4_000 });

/** Routing that answers with the given candidates and remembers what it was asked. */
function routingOf(candidates = [small, large]) {
  const asked: RouteRequest[] = [];
  return { asked, route: (request: RouteRequest) => (asked.push(request), { candidates }) };
}

const request = (extra: Partial<ChatRequest> = {}) => ({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra }) as ChatRequest;

describe("prepareCandidates", () => {
  it("asks routing for the model first, then the other requested models once, with the provider preferences", () => {
    const routing = routingOf();
    prepareCandidates(routing, request({ models: ["other", "m", "third"], provider: { order: ["small"] } }), 10);
    expect(routing.asked).toEqual([{ models: ["m", "other", "third"], provider: { order: ["small"] } }]);
  });

  it("prices each candidate at its most: the prompt bound plus its output cap, or its whole context without one", () => {
    expect(prepareCandidates(routingOf(), request(), 10)).toEqual([
      { candidate: small, maximumCostMicros: 100 },
      { candidate: large, maximumCostMicros: 4_000 },
    ]);
  });

  it("keeps only the endpoints that can produce the output asked for, priced at that output", () => {
    expect(prepareCandidates(routingOf(), request({ max_tokens: 500 }), 10)).toEqual([{ candidate: large, maximumCostMicros: 500 }]);
  });

  it("refuses a request no endpoint can honour instead of clamping it", () => {
    expect(() => prepareCandidates(routingOf(), request({ max_completion_tokens: 5_000 }), 10)).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, code: "invalid_request", metadata: { max_tokens: 5_000, maximum: 4_000 } }) }),
    );
  });
});
