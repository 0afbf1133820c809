import type { ChatRequest, UpstreamWarning } from "@switchboard/contracts";
import { catalogParameterName } from "@switchboard/routing";

/**
 * The output caps are not the endpoint's to refuse: ingress folds them into the reserved cap, which every
 * adapter sends so the bill stays bounded.
 */
const alwaysSentParameters: ReadonlySet<string> = new Set(["max_tokens"]);

/**
 * The client's request without the parameters this endpoint does not list in its catalog
 * `supported_parameters`, and a warning naming each one left out (never its value: it may quote the
 * prompt). Under `provider.require_parameters: true` routing has already kept such endpoints out, so
 * nothing is dropped then. An endpoint whose catalog entry lists no parameters declares nothing, and its
 * adapter alone decides what its API can carry.
 */
export function dropUnsupportedParameters(body: ChatRequest, supportedParameters: readonly string[]): { body: ChatRequest; warnings: UpstreamWarning[] } {
  if (supportedParameters.length === 0) return { body, warnings: [] };
  const supported = new Set(supportedParameters);
  const kept: Record<string, unknown> = {};
  const warnings: UpstreamWarning[] = [];
  for (const [field, value] of Object.entries(body)) {
    const name = catalogParameterName(field);
    const unsupported = name !== undefined && !alwaysSentParameters.has(name) && !supported.has(name) && value !== undefined && value !== null;
    if (unsupported) warnings.push({ type: "unsupported-parameter", parameter: field });
    else kept[field] = value;
  }
  return { body: kept as ChatRequest, warnings };
}
