import { computeMaximumCostMicros, gatewayError, gatewayErrorCodes, SwitchboardError, type ChatRequest, type RouteCandidate } from "@switchboard/contracts";
import type { LocalRouting } from "../routing/local-routing.js";
import { outputBound, requestedOutput } from "./output-limits.js";

/** A candidate endpoint with the most a generation on it can cost: what credit must cover to try it. */
export interface PricedCandidate {
  candidate: RouteCandidate;
  maximumCostMicros: number;
}

/**
 * The endpoints to try, best first, each with its upper-bound cost. Routing happens in process; endpoints
 * that cannot produce the output the client asked for are left out. Throws the client-facing error
 * (400/404/503) when nothing can serve the request.
 */
export function prepareCandidates(routing: Pick<LocalRouting, "route">, request: ChatRequest, promptBytes: number): PricedCandidate[] {
  const route = routing.route({
    models: [request.model, ...(request.models ?? []).filter((model) => model !== request.model)],
    ...(request.provider ? { provider: request.provider } : {}),
  });
  return withinRequestedOutput(request, route.candidates).map((candidate) => ({
    candidate,
    maximumCostMicros: computeMaximumCostMicros(promptBytes, outputBound(request, candidate), candidate.price),
  }));
}

/**
 * Endpoints that can produce the output the client asked for (OpenRouter routes `max_tokens` only to
 * providers supporting that length); a request no endpoint can honour is refused, never clamped.
 */
function withinRequestedOutput(request: ChatRequest, candidates: RouteCandidate[]): RouteCandidate[] {
  const requested = requestedOutput(request);
  if (requested === null) return candidates;
  const fitting = candidates.filter((candidate) => requested <= (candidate.maxCompletionTokens ?? candidate.contextLength));
  if (fitting.length > 0) return fitting;
  const largest = Math.max(...candidates.map((candidate) => candidate.maxCompletionTokens ?? candidate.contextLength));
  throw new SwitchboardError(
    gatewayError(gatewayErrorCodes.invalidRequest, 400, `max_tokens ${requested} is more than any provider of this model allows (at most ${largest}). Lower max_tokens.`, {
      metadata: { max_tokens: requested, maximum: largest },
    }),
  );
}
