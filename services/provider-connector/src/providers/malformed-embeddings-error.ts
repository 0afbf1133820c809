import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";

/** A provider's embeddings answer Switchboard cannot read; retryable, as another endpoint may answer well. */
export function malformedEmbeddingsError(providerLabel: string, detail: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider (${providerLabel} API) sent a malformed embeddings response: ${detail}`, { retryable: true }),
  );
}
