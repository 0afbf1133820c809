import { endpointHealthStatuses, type EndpointHealth, type RouteCandidate } from "@switchboard/contracts";

/**
 * Parameters OpenRouter routes by even without `require_parameters`: a request using them goes first to
 * the endpoints that support them, when any does, and the others stay as fallbacks
 * (https://openrouter.ai/docs/features/provider-routing, "require_parameters").
 */
export const softRequiredParameters: readonly string[] = ["tools", "tool_choice", "response_format", "verbosity"];

/**
 * The endpoints, already ranked, with those supporting every soft-required parameter the request uses
 * moved ahead of the others; each group keeps its ranked order. Ejected endpoints stay last whatever they
 * support: a supporting endpoint that is down must not make every such request wait for its failure.
 * Unchanged when the request uses none, or when no endpoint (or every one) supports them.
 */
export function supportingEndpointsFirst(
  endpoints: RouteCandidate[],
  parameters: readonly string[] | undefined,
  health?: ReadonlyMap<string, EndpointHealth>,
): RouteCandidate[] {
  const used = softRequiredParameters.filter((parameter) => parameters?.includes(parameter));
  if (used.length === 0) return endpoints;
  const supporting: RouteCandidate[] = [];
  const others: RouteCandidate[] = [];
  const ejected: RouteCandidate[] = [];
  for (const endpoint of endpoints) {
    if (health?.get(endpoint.endpointId)?.status === endpointHealthStatuses.ejected) ejected.push(endpoint);
    else if (used.every((parameter) => endpoint.supportedParameters.includes(parameter))) supporting.push(endpoint);
    else others.push(endpoint);
  }
  return supporting.length === 0 || others.length === 0 ? endpoints : [...supporting, ...others, ...ejected];
}
