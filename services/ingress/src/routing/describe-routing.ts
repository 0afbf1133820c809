import {
  endpointHealthStatuses,
  type EndpointHealth,
  type GenerationAttempt,
  type ProviderPreferences,
  type RouteCandidate,
  type RoutingModel,
  type SkippedEndpoint,
  type SortOrder,
} from "@switchboard/contracts";
import { modelVariants, resolveModelVariant } from "@switchboard/routing";

/** The request header that asks for the routing debug output, and the value that does. */
export const routingDebugRequestHeader = "x-switchboard-debug";
export const routingDebugRequestValue = "routing";
/** The response header that carries it. */
export const routingDebugResponseHeader = "x-switchboard-routing";

/**
 * Entries listed per list at most: clients refuse response headers past about 16 KB (undici's default),
 * and 32 entries of ~130 bytes stay well below. What is left out is counted in `omitted`.
 */
const maximumEntriesPerList = 32;

/** What routing decided for one request: everything describeRouting reads besides the routing snapshot. */
export interface RoutingDecision {
  /** The requested models, in fallback order, as the client named them (variants included). */
  models: readonly string[];
  provider: ProviderPreferences | undefined;
  /** The candidates in the order they are tried. */
  candidates: readonly RouteCandidate[];
  skipped: readonly SkippedEndpoint[];
  /** The conversation's sticky endpoint when it was moved to the front. */
  stickyEndpointId: string | null;
  /** The attempts made so far; null when the answer is a stream whose headers go out before them. */
  attempts: readonly GenerationAttempt[] | null;
}

/**
 * The routing debug output (issue 9: "health, rank and the reason an endpoint was skipped are visible
 * in debug output"), as compact JSON for a response header: the candidates in the order they are tried
 * with their health and why each is where it is, the endpoints left out with their reason and, when
 * known, the attempts. Only ids, names, statuses and reasons: never prompt text or keys. Non-ASCII is
 * escaped, since a header value must be Latin-1.
 */
export function describeRouting(decision: RoutingDecision, snapshot: { models: ReadonlyMap<string, RoutingModel>; health: ReadonlyMap<string, EndpointHealth> }): string {
  const order = decision.provider?.order?.map((slug) => slug.toLowerCase());
  const healthOf = (endpointId: string) => snapshot.health.get(endpointId)?.status ?? "unmeasured";
  const placementOf = (candidate: RouteCandidate): string => {
    if (candidate.endpointId === decision.stickyEndpointId) return "sticky";
    // Ranking puts the `order` providers first and the rest cheapest first, health playing no part.
    if (order) return order.includes(candidate.providerId.toLowerCase()) ? "order" : "price";
    const sort = sortOf(decision, candidate.modelId, snapshot.models);
    if (sort === "price") return "sort:price";
    if (snapshot.health.get(candidate.endpointId)?.status === endpointHealthStatuses.ejected) return "ejected_last";
    return sort ? `sort:${sort}` : "weighted";
  };
  const description: Record<string, unknown> = {
    candidates: decision.candidates.slice(0, maximumEntriesPerList).map((candidate) => ({
      provider: candidate.providerId,
      endpoint: candidate.endpointId,
      model: candidate.modelId,
      health: healthOf(candidate.endpointId),
      why: placementOf(candidate),
    })),
    skipped: decision.skipped.slice(0, maximumEntriesPerList).map((endpoint) => ({
      provider: endpoint.providerId,
      endpoint: endpoint.endpointId,
      model: endpoint.modelId,
      reason: endpoint.reason,
    })),
  };
  if (decision.attempts) {
    description["attempts"] = decision.attempts.slice(0, maximumEntriesPerList).map((attempt) => ({
      provider: attempt.providerId,
      endpoint: attempt.endpointId,
      status: attempt.status,
      error_code: attempt.errorCode,
    }));
  }
  const omittedCandidates = Math.max(0, decision.candidates.length - maximumEntriesPerList);
  const omittedSkipped = Math.max(0, decision.skipped.length - maximumEntriesPerList);
  if (omittedCandidates + omittedSkipped > 0) description["omitted"] = { candidates: omittedCandidates, skipped: omittedSkipped };
  return JSON.stringify(description).replace(/[\u007f-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The sort ranking used for a model's endpoints: the request's `provider.sort`, else its variant's. */
function sortOf(decision: RoutingDecision, modelId: string, models: ReadonlyMap<string, RoutingModel>): SortOrder | undefined {
  const sort = decision.provider?.sort;
  if (sort !== undefined) return typeof sort === "string" ? sort : sort.by;
  for (const requested of decision.models) {
    const resolved = resolveModelVariant(models, requested);
    if (resolved?.model.id !== modelId) continue;
    if (resolved.variant === modelVariants.floor) return "price";
    if (resolved.variant === modelVariants.nitro) return "throughput";
    return undefined;
  }
  return undefined;
}

/** True when the request asks for the routing debug output (`x-switchboard-debug: routing`, maybe among others). */
export function wantsRoutingDebug(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(",") : header;
  return value.split(",").some((token) => token.trim().toLowerCase() === routingDebugRequestValue);
}
