import { gatewayError, gatewayErrorCodes, SwitchboardError, type UpstreamWarning } from "@switchboard/contracts";

/** Which values of each client sampling parameter Claude takes while thinking. */
const acceptedWhileThinking: Record<"temperature" | "top_p" | "top_k", (value: number) => boolean> = {
  temperature: (value) => value === 1,
  top_p: (value) => value >= 0.95,
  top_k: () => false,
};

/**
 * Takes out of a request's sampling fields the values Claude refuses while thinking ("Thinking isn't
 * compatible with temperature or top_k modifications", top_p only from 0.95 to 1:
 * https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#feature-compatibility) and names
 * each by the client's parameter, or refuses it under `require_parameters` (retryable: another endpoint
 * may take it), as for any value an endpoint cannot take. `fieldNames` says where each parameter sits in
 * `fields`: the Messages API body (`top_p`) or Bedrock's inferenceConfig (`topP`).
 */
export function dropSamplingRefusedWhileThinking(
  fields: Record<string, unknown>,
  fieldNames: Partial<Record<keyof typeof acceptedWhileThinking, string>>,
  requireParameters: boolean,
): UpstreamWarning[] {
  const warnings: UpstreamWarning[] = [];
  for (const [parameter, field] of Object.entries(fieldNames) as [keyof typeof acceptedWhileThinking, string][]) {
    const value = fields[field];
    if (typeof value !== "number" || acceptedWhileThinking[parameter](value)) continue;
    if (requireParameters) {
      throw new SwitchboardError(
        gatewayError(gatewayErrorCodes.unsupportedParameter, 400, `${parameter}: Claude takes no ${parameter} of ${value} while thinking; the request sets provider.require_parameters, so it is not dropped`, {
          retryable: true,
          metadata: { parameter },
        }),
      );
    }
    delete fields[field];
    warnings.push({ type: "unsupported-parameter", parameter });
  }
  return warnings;
}
