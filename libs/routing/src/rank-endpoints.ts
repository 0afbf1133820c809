import { endpointHealthStatuses, type EndpointHealth, type RouteCandidate, type SortOrder } from "@switchboard/contracts";
import { compareEndpointsByPrice } from "./compare-endpoints-by-price.js";
import { totalPricePicos } from "./total-price.js";
import { createPerformanceMissCheck, type PerformancePreferences } from "./performance-preferences.js";

/** What ranking reads besides the request: the snapshot's health figures and a random source. */
export interface RankingInputs {
  /** Health by endpoint id (the routing snapshot's); an endpoint absent from it counts as healthy without figures. */
  readonly health?: ReadonlyMap<string, EndpointHealth>;
  /**
   * Uniform in [0, 1), like Math.random; tests pass a seeded one. Without it the default order is the price
   * order (still with ejected endpoints last), so a caller that does not balance load gets a stable answer.
   */
  readonly random?: () => number;
}

/** How one model's (or, with `partition: "none"`, every model's) endpoints are ordered. */
export interface RankingRule {
  /** `provider.order`'s slugs, lower case. */
  readonly order: readonly string[] | undefined;
  /** `provider.sort`, else the variant's (`:floor` price, `:nitro` throughput); undefined for the default. */
  readonly sortBy: SortOrder | undefined;
  /** `provider.preferred_max_latency` / `preferred_min_throughput`: soft, see performance-preferences.ts. */
  readonly performance?: PerformancePreferences;
}

/**
 * Orders the endpoints that passed the filters:
 * - `order` providers first, in their order, then the rest cheapest first (health plays no part: the
 *   client chose);
 * - `sort: "price"` (`:floor`): cheapest first;
 * - `sort: "latency"` / `"throughput"` (`:nitro`): endpoints with a measured median first, lowest time to
 *   first token or highest tokens per second first; then the unmeasured, cheapest first; ejected endpoints last;
 * - otherwise OpenRouter's default load balancing: endpoints that are not ejected in a weighted random order
 *   where each one's chance to come first is proportional to the inverse square of its price, then the
 *   ejected ones cheapest first (tried only when every other one failed).
 * Without `order`, `preferred_max_latency` / `preferred_min_throughput` then move the endpoints whose
 * measured figures miss them after the others (each group keeping the order above, ejected ones still
 * last): soft, as OpenRouter's, so an endpoint is never left out for them.
 */
export function rankEndpoints(endpoints: readonly RouteCandidate[], rule: RankingRule, inputs: RankingInputs): RouteCandidate[] {
  const byPrice = [...endpoints].sort(compareEndpointsByPrice);
  const { order, sortBy } = rule;
  if (order) {
    const rank = (endpoint: RouteCandidate) => {
      const position = order.indexOf(endpoint.providerId.toLowerCase());
      return position === -1 ? order.length : position;
    };
    // Array.prototype.sort is stable, so endpoints outside `order` keep their price order.
    return byPrice.sort((left, right) => rank(left) - rank(right));
  }
  const healthOf = (endpoint: RouteCandidate) => inputs.health?.get(endpoint.endpointId);
  const misses = rule.performance ? createPerformanceMissCheck(rule.performance) : undefined;
  /** The endpoints that meet the performance preferences, then those that miss them (both in the order given). */
  const meetingFirst = (ranked: RouteCandidate[]): RouteCandidate[] =>
    misses ? [...ranked.filter((endpoint) => !misses(healthOf(endpoint))), ...ranked.filter((endpoint) => misses(healthOf(endpoint)))] : ranked;
  if (sortBy === "price") return meetingFirst(byPrice);
  const usable = byPrice.filter((endpoint) => healthOf(endpoint)?.status !== endpointHealthStatuses.ejected);
  const ejected = byPrice.filter((endpoint) => healthOf(endpoint)?.status === endpointHealthStatuses.ejected);
  if (sortBy === "latency" || sortBy === "throughput") {
    // Lower is better for both keys: throughput is negated.
    const key = (endpoint: RouteCandidate) => {
      const health = healthOf(endpoint);
      const figure = sortBy === "latency" ? health?.latencyP50Milliseconds : health?.throughputP50TokensPerSecond;
      if (figure === null || figure === undefined) return Number.POSITIVE_INFINITY;
      return sortBy === "latency" ? figure : -figure;
    };
    return [...meetingFirst(usable.sort((left, right) => key(left) - key(right))), ...ejected];
  }
  if (!inputs.random) return [...meetingFirst(usable), ...ejected];
  const random = inputs.random;
  if (!misses) return [...weightedByInverseSquarePrice(usable, random), ...ejected];
  // Each group is balanced on its own: missing a preference is a place after every endpoint that meets it.
  const meeting = usable.filter((endpoint) => !misses(healthOf(endpoint)));
  const missing = usable.filter((endpoint) => misses(healthOf(endpoint)));
  return [...weightedByInverseSquarePrice(meeting, random), ...weightedByInverseSquarePrice(missing, random), ...ejected];
}

/**
 * Draws the endpoints one after the other without replacement, each with a weight of 1 / price², price
 * being prompt + completion per token (OpenRouter: "weighted by the inverse square of the price"). Prices
 * are divided by the cheapest first so the weights stay well within a double's range; a zero price counts
 * as one picodollar, which puts free endpoints first in practice without dividing by zero.
 */
function weightedByInverseSquarePrice(endpoints: readonly RouteCandidate[], random: () => number): RouteCandidate[] {
  if (endpoints.length < 2) return [...endpoints];
  const prices = endpoints.map((endpoint) => {
    const total = Number(totalPricePicos(endpoint));
    return Math.max(total, 1);
  });
  const cheapest = Math.min(...prices);
  const remaining = endpoints.map((endpoint, index) => ({ endpoint, weight: (cheapest / (prices[index] as number)) ** 2 }));
  const ranked: RouteCandidate[] = [];
  while (remaining.length > 0) {
    const total = remaining.reduce((sum, entry) => sum + entry.weight, 0);
    let draw = random() * total;
    let chosen = remaining.length - 1;
    for (let index = 0; index < remaining.length; index += 1) {
      draw -= (remaining[index] as (typeof remaining)[number]).weight;
      if (draw < 0) {
        chosen = index;
        break;
      }
    }
    ranked.push((remaining.splice(chosen, 1)[0] as (typeof remaining)[number]).endpoint);
  }
  return ranked;
}
