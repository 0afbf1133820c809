import { endpointOutcomeClasses, type EndpointOutcomeClass, type GatewayError } from "@switchboard/contracts";
import { upstreamErrorClasses, type UpstreamErrorClass } from "@switchboard/telemetry";

/**
 * The `class` label of `switchboard_upstream_errors_total` for a failed attempt, from the class its
 * endpoint's health counts it as (classify-attempt-outcome.ts): a refused key (401, 403) is told apart
 * from other failures, since it means a wrong or revoked provider key rather than a bad request or an outage.
 */
export function classifyUpstreamError(outcome: EndpointOutcomeClass, error: GatewayError): UpstreamErrorClass | null {
  switch (outcome) {
    case endpointOutcomeClasses.ok:
      return null;
    case endpointOutcomeClasses.rateLimited:
      return upstreamErrorClasses.rateLimited;
    case endpointOutcomeClasses.serverError:
      // A provider's 401/403 reaches here as a non-retryable 502 (map-upstream-error-status.ts: the client
      // cannot fix the operator's key), as does a key variable the connector refuses to read: the only
      // non-retryable 5xx the connector makes, and both a key an operator must fix.
      return error.retryable ? upstreamErrorClasses.server : upstreamErrorClasses.auth;
    case endpointOutcomeClasses.timeout:
      return upstreamErrorClasses.timeout;
    case endpointOutcomeClasses.connectError:
      return upstreamErrorClasses.network;
    case endpointOutcomeClasses.clientError:
      return error.status === 401 || error.status === 403 ? upstreamErrorClasses.auth : upstreamErrorClasses.client;
  }
}
