import type { ChatRequest, RouteCandidate } from "@switchboard/contracts";

/** The output the client asked for at most (`max_completion_tokens`, else the older `max_tokens`), or null. */
export function requestedOutput(request: ChatRequest): number | null {
  return request.max_completion_tokens ?? request.max_tokens ?? null;
}

/** The cap sent upstream: the client's, else the endpoint's catalog cap, else none. */
export function outputCap(request: ChatRequest, candidate: RouteCandidate): number | null {
  return requestedOutput(request) ?? candidate.maxCompletionTokens;
}

/** The most output the candidate can produce: its cap, or without one the whole context window. */
export function outputBound(request: ChatRequest, candidate: RouteCandidate): number {
  return outputCap(request, candidate) ?? candidate.contextLength;
}
