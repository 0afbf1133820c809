import { gatewayError, gatewayErrorCodes, SwitchboardError, type ChatRequest, type UpstreamWarning } from "@switchboard/contracts";

/** The first `anthropic-version` whose models take no sampling parameters at all (issue 11). */
const versionWithoutSampling = "2026-10-21";

/** What each sampling parameter may be under one API version; null when the version takes none. */
interface SamplingRule {
  parameter: "temperature" | "top_p" | "top_k";
  /** Why the value cannot be sent, or null when it can. */
  problem(value: number): string | null;
}

function rulesFor(apiVersion: string): SamplingRule[] {
  // Versions are dates, so later versions compare greater as strings.
  if (apiVersion >= versionWithoutSampling) {
    const refused = () => `Anthropic API version ${apiVersion} takes no sampling parameters`;
    return [
      { parameter: "temperature", problem: refused },
      { parameter: "top_p", problem: refused },
      { parameter: "top_k", problem: refused },
    ];
  }
  return [
    // OpenAI allows temperature up to 2; Anthropic only 0–1. Clamping would change the answer silently.
    { parameter: "temperature", problem: (value) => (value >= 0 && value <= 1 ? null : `Anthropic API version ${apiVersion} takes temperature only in 0–1, not ${value}`) },
    { parameter: "top_p", problem: () => null },
    { parameter: "top_k", problem: () => null },
  ];
}

/**
 * A sampling value this endpoint cannot take, refused because the client set `provider.require_parameters`.
 * Status 400 naming the parameter, but retryable: another endpoint of the model (another API version, or
 * another vendor) may take the value, and if none does the client gets this answer.
 */
function refusal(parameter: string, reason: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.unsupportedParameter, 400, `${reason}; the request sets provider.require_parameters, so ${parameter} is not dropped`, {
      retryable: true,
      metadata: { parameter },
    }),
  );
}

/**
 * The sampling parameters of the client's request that this Anthropic API version takes, as Messages API
 * fields. A value it cannot take is dropped and named in a warning, or, when the request sets
 * `provider.require_parameters: true`, refused with a 400 naming it; never clamped (STYLE.md convention 9).
 */
export function anthropicSamplingParameters(request: ChatRequest, apiVersion: string): { fields: Record<string, number>; warnings: UpstreamWarning[] } {
  const requireParameters = request.provider?.require_parameters === true;
  const fields: Record<string, number> = {};
  const warnings: UpstreamWarning[] = [];
  const values = request as Record<string, unknown>;
  for (const rule of rulesFor(apiVersion)) {
    const value = values[rule.parameter];
    if (typeof value !== "number") continue;
    const problem = rule.problem(value);
    if (problem === null) fields[rule.parameter] = value;
    else if (requireParameters) throw refusal(rule.parameter, problem);
    else warnings.push({ type: "unsupported-parameter", parameter: rule.parameter });
  }
  return { fields, warnings };
}
