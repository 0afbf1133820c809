import { computeMaximumCostMicros, type AccountDataPolicy, type EmbeddingsRequest, type RouteRequest } from "@switchboard/contracts";
import { withAccountDataPolicy } from "@switchboard/routing";
import type { LocalRouting } from "../routing/local-routing.js";
import type { PreparedCandidates } from "./prepare-candidates.js";

/**
 * The endpoints to try for an embeddings request, best first, each with its upper-bound cost: every
 * input token at the endpoint's prompt price (`promptBytes` bounds the tokens from above), no output.
 * Routing is chat's (provider preferences, the account's data policy, health and price) restricted to
 * embedding models. No context check: the catalog's context length of an embedding model limits each
 * input, not the request, and a provider refuses an input too long with a 400 the client sees.
 */
export function prepareEmbeddingCandidates(
  routing: Pick<LocalRouting, "route">,
  request: EmbeddingsRequest,
  promptBytes: number,
  accountPolicy?: AccountDataPolicy,
): PreparedCandidates {
  const route = routing.route(embeddingRouteRequestOf(request, accountPolicy));
  const candidates = route.candidates.map((candidate) => ({ candidate, maximumCostMicros: computeMaximumCostMicros(promptBytes, 0, candidate.price) }));
  return { candidates, skipped: route.skipped, maximumPromptTokens: promptBytes };
}

/** What routing needs from an embeddings request: its models in fallback order, its preferences, and `dimensions` when it must be supported. */
export function embeddingRouteRequestOf(request: EmbeddingsRequest, accountPolicy?: AccountDataPolicy): RouteRequest {
  const models = request.model === undefined ? [...new Set(request.models)] : [...new Set([request.model, ...(request.models ?? [])])];
  const provider = withAccountDataPolicy(request.provider, accountPolicy);
  const usesDimensions = request.dimensions !== undefined && request.dimensions !== null;
  return {
    models,
    output: "embeddings",
    ...(provider ? { provider } : {}),
    ...(request.provider?.require_parameters === true ? { parameters: usesDimensions ? ["dimensions"] : [] } : {}),
  };
}
