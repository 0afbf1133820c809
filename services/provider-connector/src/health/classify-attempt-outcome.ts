import { endpointOutcomeClasses, gatewayErrorCodes, type EndpointOutcomeClass, type GatewayError } from "@switchboard/contracts";
import { connectionFailurePrefix } from "../transport/classify-transport-error.js";

/**
 * How an attempt counts for its endpoint's health: null (a success), or the failure's class. Our own
 * aborts (a client's cancel, shutdown) say nothing about the endpoint and are not counted (undefined).
 */
export function classifyAttemptOutcome(error: GatewayError | null): EndpointOutcomeClass | undefined {
  if (error === null) return endpointOutcomeClasses.ok;
  if (error.code === gatewayErrorCodes.cancelled || error.code === gatewayErrorCodes.serviceUnavailable) return undefined;
  if (error.code === gatewayErrorCodes.upstreamTimeout || error.status === 408) return endpointOutcomeClasses.timeout;
  if (error.code === gatewayErrorCodes.upstreamRateLimited || error.status === 429) return endpointOutcomeClasses.rateLimited;
  // classifyTransportError names the network failure in the message; it has no status of its own.
  if (error.code === gatewayErrorCodes.upstreamError && error.message.startsWith(connectionFailurePrefix)) return endpointOutcomeClasses.connectError;
  if (error.status >= 500) return endpointOutcomeClasses.serverError;
  return endpointOutcomeClasses.clientError;
}
