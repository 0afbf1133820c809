import { gatewayError, gatewayErrorCodes, type GatewayError } from "@switchboard/contracts";
import { sanitizeProviderMessage } from "./sanitize-provider-message.js";

/** What an adapter extracted from a provider's error answer. */
export interface UpstreamErrorDetails {
  status: number;
  /** Names the provider's API in messages, e.g. "OpenAI-compatible". */
  providerLabel: string;
  /** The provider's own message (or its raw body); sanitized and bounded here before it travels further. */
  providerMessage: string;
  /** The provider's machine-readable code when it sent one. */
  providerCode?: string;
}

/**
 * The one table from a provider's HTTP status to the GatewayError ingress acts on; every adapter uses it
 * after reading its own error body format. `retryable` tells ingress whether the next candidate may be
 * tried: overload, outages and timeouts yes; a request the provider found invalid no (another provider
 * would most likely refuse it too, and the client should see why, as OpenRouter shows it).
 *
 * The provider's message travels as `metadata.raw` for every status (the handler adds `provider_name`), as
 * OpenRouter's `{"error":{"message":"Provider returned error","metadata":{"raw","provider_name"}}}` does
 * (issue 11). A rejected provider key's message may quote that key (OpenAI shows its last characters); the
 * adapter does not know the key, so the handler scrubs its material before the error leaves the connector
 * (handlers/scrub-key-material.ts).
 */
export function mapUpstreamErrorStatus(details: UpstreamErrorDetails): GatewayError {
  const { status, providerLabel } = details;
  const metadata: Record<string, unknown> = { raw: sanitizeProviderMessage(details.providerMessage) };
  if (details.providerCode !== undefined) metadata["provider_code"] = sanitizeProviderMessage(details.providerCode);

  if (status === 429) {
    return gatewayError(gatewayErrorCodes.upstreamRateLimited, 429, `The provider (${providerLabel} API) is rate limiting requests`, {
      retryable: true,
      metadata,
    });
  }
  if (status === 408 || status === 504) {
    return gatewayError(gatewayErrorCodes.upstreamTimeout, 408, `The provider (${providerLabel} API) timed out`, { retryable: true, metadata });
  }
  if (status === 400 || status === 404 || status === 422) {
    return gatewayError(gatewayErrorCodes.invalidRequest, 400, "Provider returned error", { retryable: false, metadata });
  }
  if (status === 401 || status === 403) {
    // The client's Switchboard key was already accepted; this is the operator's provider key, so the
    // client can do nothing about it and must not be told "unauthorized".
    return gatewayError(
      gatewayErrorCodes.upstreamError,
      502,
      `The provider (${providerLabel} API) rejected Switchboard's provider key (HTTP ${status}); an operator must fix the key configured for this provider`,
      { retryable: false, metadata },
    );
  }
  // 5xx, and any other status (402 out of provider credit, 413, 409, ...): an operator or provider
  // problem that another endpoint may not have.
  return gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider (${providerLabel} API) returned HTTP ${status}`, {
    retryable: true,
    metadata,
  });
}
