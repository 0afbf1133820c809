import type { RouteCandidate } from "@switchboard/contracts";
import { totalPricePicos } from "./total-price.js";

/** Cheapest first by prompt + completion price per token; ties broken by provider id for a stable order. */
export function compareEndpointsByPrice(left: RouteCandidate, right: RouteCandidate): number {
  const leftTotal = totalPricePicos(left);
  const rightTotal = totalPricePicos(right);
  if (leftTotal !== rightTotal) return leftTotal < rightTotal ? -1 : 1;
  return left.providerId.localeCompare(right.providerId);
}
