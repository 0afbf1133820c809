import {
  computeMaximumCostMicros,
  endpointFilterReasons,
  gatewayError,
  gatewayErrorCodes,
  type AccountDataPolicy,
  type ChatRequest,
  type RouteCandidate,
  type RouteRequest,
  type SkippedEndpoint,
} from "@switchboard/contracts";
import { requestedInputModalities, requestedParameters, RoutingRefusal, softRequiredParameters, withAccountDataPolicy } from "@switchboard/routing";
import type { LocalRouting } from "../routing/local-routing.js";
import { checkSupportedRequest, maximumImagePromptTokens } from "./check-supported-request.js";
import { promptTokenLowerBound } from "./estimate-tokens.js";
import { outputBound, requestedOutput } from "./output-limits.js";

/** A candidate endpoint with the most a generation on it can cost: what credit must cover to try it. */
export interface PricedCandidate {
  candidate: RouteCandidate;
  maximumCostMicros: number;
}

/** The candidates to try, best first, and the endpoints of the requested models left out, with why. */
export interface PreparedCandidates {
  candidates: PricedCandidate[];
  /** Kept for the routing debug output (issue 9). */
  skipped: SkippedEndpoint[];
  /** The upper bound on prompt tokens the costs were computed with: the body's bytes plus the images' bound. */
  maximumPromptTokens: number;
}

/**
 * The endpoints to try, best first, each with its upper-bound cost. Routing happens in process; endpoints
 * that cannot produce the output the client asked for are left out. Throws the client-facing error
 * (400/404/503) when nothing can serve the request. `accountPolicy` is the key's account's data policy.
 */
export function prepareCandidates(
  routing: Pick<LocalRouting, "route" | "smallestContextLength">,
  request: ChatRequest,
  promptBytes: number,
  accountPolicy?: AccountDataPolicy,
): PreparedCandidates {
  // Images are counted before routing (for the bound) but refused parts only after it (below).
  const images = countImageParts(request);
  // promptBytes bounds the prompt's tokens from above, with each image's bound added: a request within the
  // smallest context window of the catalog (nearly all) needs no context check, and so no lower-bound
  // count, which walks the whole text.
  const maximumPromptTokens = promptBytes + images * maximumImagePromptTokens;
  const fitsEveryContext = maximumPromptTokens + (requestedOutput(request) ?? 0) <= routing.smallestContextLength();
  const route = routing.route(routeRequestOf(request, accountPolicy, fitsEveryContext));
  // After routing, so that an audio part sent to a text-only model gets OpenRouter's 404 rather than our
  // "not supported yet" for the parts Switchboard cannot price.
  checkSupportedRequest(request);
  // selectRoute's list is this call's own: the endpoints left out for their output limit join it.
  const skipped = route.skipped;
  const candidates = withinRequestedOutput(request, route.candidates, skipped).map((candidate) => ({
    candidate,
    maximumCostMicros: computeMaximumCostMicros(maximumPromptTokens, outputBound(request, candidate), candidate.price, images),
  }));
  return { candidates, skipped, maximumPromptTokens };
}

/** Image parts in the messages; 0 without a single content array, so a text-only request walks nothing more. */
function countImageParts(request: ChatRequest): number {
  let images = 0;
  for (const message of request.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) if (part.type === "image_url") images += 1;
  }
  return images;
}

/**
 * What routing needs from a chat request: its models in fallback order (`model`, then `models` without
 * repeating it), its provider preferences tightened by the account's data policy, its parameters only
 * when `require_parameters` or the soft ordering by tools / response_format reads them, what it needs of
 * a context window (a prompt estimate that cannot exceed the true count, and the output asked for) and
 * the inputs it carries besides text.
 */
export function routeRequestOf(request: ChatRequest, accountPolicy?: AccountDataPolicy, fitsEveryContext = false): RouteRequest {
  const models = request.model === undefined ? [...new Set(request.models)] : [...new Set([request.model, ...(request.models ?? [])])];
  const provider = withAccountDataPolicy(request.provider, accountPolicy);
  const inputModalities = requestedInputModalities(request);
  return {
    models,
    ...(provider ? { provider } : {}),
    ...(request.provider?.require_parameters === true || usesSoftRequiredParameter(request) ? { parameters: requestedParameters(request) } : {}),
    ...(fitsEveryContext ? {} : { context: { promptTokens: promptTokenLowerBound(request), outputTokens: requestedOutput(request) ?? 0 } }),
    ...(inputModalities.length > 0 ? { inputModalities } : {}),
  };
}

/** Whether the request uses a parameter routing prefers supporting endpoints for (softRequiredParameters). */
function usesSoftRequiredParameter(request: ChatRequest): boolean {
  const fields = request as Record<string, unknown>;
  return softRequiredParameters.some((parameter) => fields[parameter] !== undefined && fields[parameter] !== null);
}

/**
 * Endpoints that can produce the output the client asked for (OpenRouter routes `max_tokens` only to
 * providers supporting that length); a request no endpoint can honour is refused, never clamped.
 */
function withinRequestedOutput(request: ChatRequest, candidates: RouteCandidate[], skipped: SkippedEndpoint[]): RouteCandidate[] {
  const requested = requestedOutput(request);
  if (requested === null) return candidates;
  const fitting: RouteCandidate[] = [];
  for (const candidate of candidates) {
    if (requested <= (candidate.maxCompletionTokens ?? candidate.contextLength)) fitting.push(candidate);
    else skipped.push({ endpointId: candidate.endpointId, modelId: candidate.modelId, providerId: candidate.providerId, reason: endpointFilterReasons.maximumTokens });
  }
  if (fitting.length > 0) return fitting;
  const largest = Math.max(...candidates.map((candidate) => candidate.maxCompletionTokens ?? candidate.contextLength));
  throw new RoutingRefusal(
    gatewayError(gatewayErrorCodes.invalidRequest, 400, `max_tokens ${requested} is more than any provider of this model allows (at most ${largest}). Lower max_tokens.`, {
      metadata: { max_tokens: requested, maximum: largest },
    }),
    skipped,
  );
}
