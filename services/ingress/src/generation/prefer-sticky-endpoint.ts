import { endpointHealthStatuses, type EndpointHealth, type RouteCandidate } from "@switchboard/contracts";

/**
 * The candidates with a conversation's sticky endpoint moved to the front, or null when it may not lead:
 * it is not among the candidates (this request's filters left it out: stickiness never adds an
 * endpoint), it is ejected in the routing snapshot's health (a conversation does not wait on an endpoint
 * that is down), or it serves another model than the first candidate (the `models` fallback order wins).
 */
export function preferStickyEndpoint<Candidate extends { candidate: RouteCandidate }>(
  candidates: readonly Candidate[],
  endpointId: string,
  health: ReadonlyMap<string, EndpointHealth>,
): Candidate[] | null {
  const index = candidates.findIndex((priced) => priced.candidate.endpointId === endpointId);
  if (index === -1) return null;
  const sticky = candidates[index] as Candidate;
  if (sticky.candidate.modelId !== candidates[0]?.candidate.modelId) return null;
  if (health.get(endpointId)?.status === endpointHealthStatuses.ejected) return null;
  return [sticky, ...candidates.slice(0, index), ...candidates.slice(index + 1)];
}
