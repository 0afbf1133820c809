import { gatewayError, gatewayErrorCodes, SwitchboardError, type ChatRequest, type UpstreamWarning } from "@switchboard/contracts";

/**
 * The client's reasoning request as a value this endpoint cannot take (issue 11): dropped, so the model
 * answers without it, and named in a warning carried to the generation record; or, when the request sets
 * `provider.require_parameters`, refused with a 400 naming the parameter the client used (`reasoning` or
 * the `reasoning_effort` shorthand). Retryable, as for sampling values: another endpoint of the model may
 * take it. Never changed to a value the client did not ask for. `reason` says why, without any prompt text.
 */
export function dropOrRefuseReasoning(request: ChatRequest, reason: string): UpstreamWarning {
  const parameter = request.reasoning !== undefined ? "reasoning" : "reasoning_effort";
  if (request.provider?.require_parameters === true) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.unsupportedParameter, 400, `${parameter}: ${reason}; the request sets provider.require_parameters, so it is not dropped`, {
        retryable: true,
        metadata: { parameter },
      }),
    );
  }
  return { type: "unsupported-parameter", parameter };
}
