import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";

/**
 * A request a provider's API cannot take, named by its path (`messages.3.content.0`). Not retryable: the
 * same request fails on every endpoint of that API, so the client must change it.
 */
export function unsupportedRequestError(parameter: string, message: string): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.unsupportedParameter, 400, message, { retryable: false, metadata: { parameter } }));
}
