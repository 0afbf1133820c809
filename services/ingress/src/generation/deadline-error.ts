import { gatewayError, gatewayErrorCodes, type GatewayError } from "@switchboard/contracts";

/**
 * Why a generation was stopped at its deadline: ingress shutting down (retryable, another replica will
 * serve it) or the maximum duration reached (not retryable: the same request would run as long again).
 */
export function deadlineError(shuttingDown: boolean, maximumDurationMs: number): GatewayError {
  if (shuttingDown) {
    return gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "Switchboard is restarting and stopped this generation. Retry the request.", { retryable: true });
  }
  const seconds = Math.round(maximumDurationMs / 1000);
  return gatewayError(gatewayErrorCodes.upstreamTimeout, 504, `The generation ran longer than the ${seconds} s limit and was stopped.`, { retryable: false });
}
