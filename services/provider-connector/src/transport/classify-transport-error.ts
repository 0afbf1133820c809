import { gatewayError, gatewayErrorCodes, type GatewayError } from "@switchboard/contracts";

/**
 * How the message of a network failure (no HTTP answer at all) begins: such an error has no status of
 * its own, so endpoint health (classify-attempt-outcome.ts) recognises it by this.
 */
export const connectionFailurePrefix = "Connection to provider";

/** The `code` undici and Node's socket layer put on their errors. */
function errorCode(thrown: unknown): string | undefined {
  if (typeof thrown !== "object" || thrown === null) return undefined;
  const code = (thrown as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Turns a failure of the HTTP exchange itself (no provider answer to translate) into a GatewayError.
 * Timeouts and lost connections are retryable: another endpoint, or the same one later, may well
 * answer. Aborts are ours (a cancel), so they are reported as `cancelled` and never retried.
 */
export function classifyTransportError(thrown: unknown, providerName: string): GatewayError {
  const code = errorCode(thrown);
  const name = thrown instanceof Error ? thrown.name : undefined;
  if (code === "UND_ERR_ABORTED" || name === "AbortError") {
    return gatewayError(gatewayErrorCodes.cancelled, 499, "The generation was cancelled");
  }
  switch (code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return gatewayError(gatewayErrorCodes.upstreamTimeout, 408, `Timed out connecting to provider ${providerName}`, { retryable: true });
    case "UND_ERR_HEADERS_TIMEOUT":
      return gatewayError(gatewayErrorCodes.upstreamTimeout, 408, `Provider ${providerName} did not start responding in time`, { retryable: true });
    case "UND_ERR_BODY_TIMEOUT":
      return gatewayError(gatewayErrorCodes.upstreamTimeout, 408, `Provider ${providerName} stopped sending its response`, { retryable: true });
    case undefined:
      return gatewayError(gatewayErrorCodes.internal, 500, "Internal error while calling the provider", { retryable: true });
    default:
      // UND_ERR_SOCKET, ECONNREFUSED, ECONNRESET, ENOTFOUND, EAI_AGAIN, ...: the network failed us.
      return gatewayError(gatewayErrorCodes.upstreamError, 502, `${connectionFailurePrefix} ${providerName} failed (${code})`, { retryable: true });
  }
}
