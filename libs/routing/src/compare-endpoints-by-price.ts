import type { RouteCandidate } from "@switchboard/contracts";

/** Cheapest first by prompt + completion price per token; ties broken by provider id for a stable order. */
export function compareEndpointsByPrice(left: RouteCandidate, right: RouteCandidate): number {
  const leftTotal = BigInt(left.price.promptPicosPerToken) + BigInt(left.price.completionPicosPerToken);
  const rightTotal = BigInt(right.price.promptPicosPerToken) + BigInt(right.price.completionPicosPerToken);
  if (leftTotal !== rightTotal) return leftTotal < rightTotal ? -1 : 1;
  return left.providerId.localeCompare(right.providerId);
}
