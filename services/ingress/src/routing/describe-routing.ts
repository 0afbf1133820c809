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
 * The most the header's value may take: clients refuse response headers past about 16 KB in all (undici's
 * default), and ids have no length limit, so entries are listed while they fit and the rest are counted
 * in `omitted`.
 */
const maximumDescriptionBytes = 8_192;

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
  const candidates = decision.candidates.map((candidate) => ({
    provider: candidate.providerId,
    endpoint: candidate.endpointId,
    model: candidate.modelId,
    health: healthOf(candidate.endpointId),
    why: placementOf(candidate),
  }));
  const attempts = decision.attempts?.map((attempt) => ({ provider: attempt.providerId, endpoint: attempt.endpointId, status: attempt.status, error_code: attempt.errorCode }));
  const skipped = decision.skipped.map((endpoint) => ({ provider: endpoint.providerId, endpoint: endpoint.endpointId, model: endpoint.modelId, reason: endpoint.reason }));
  // The candidates matter most, then what happened, then what was left out; room is shared in that order.
  let room = maximumDescriptionBytes - 200;
  const fitting = <Entry>(entries: Entry[]): Entry[] => {
    const kept: Entry[] = [];
    for (const entry of entries) {
      const size = JSON.stringify(entry).length + 1;
      if (size > room) break;
      room -= size;
      kept.push(entry);
    }
    return kept;
  };
  const description: Record<string, unknown> = { candidates: fitting(candidates) };
  if (attempts) description["attempts"] = fitting(attempts);
  description["skipped"] = fitting(skipped);
  const omitted = {
    candidates: candidates.length - (description["candidates"] as unknown[]).length,
    attempts: (attempts?.length ?? 0) - ((description["attempts"] as unknown[] | undefined)?.length ?? 0),
    skipped: skipped.length - (description["skipped"] as unknown[]).length,
  };
  if (omitted.candidates + omitted.attempts + omitted.skipped > 0) description["omitted"] = omitted;
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
