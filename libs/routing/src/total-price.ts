import type { RouteCandidate } from "@switchboard/contracts";

const totals = new WeakMap<RouteCandidate, bigint>();

/**
 * An endpoint's prompt + completion price in picodollars per token. Ranking reads it on every request,
 * several times per endpoint while sorting; it is parsed once per endpoint of a snapshot (the snapshot's
 * objects live until the next one replaces them, and the cache goes with them).
 */
export function totalPricePicos(endpoint: RouteCandidate): bigint {
  let total = totals.get(endpoint);
  if (total === undefined) {
    total = BigInt(endpoint.price.promptPicosPerToken) + BigInt(endpoint.price.completionPicosPerToken);
    totals.set(endpoint, total);
  }
  return total;
}
