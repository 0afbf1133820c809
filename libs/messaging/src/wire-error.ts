import { ServiceError, type ServiceMsg } from "@nats-io/services";
import type { Msg } from "@nats-io/transport-node";
import { gatewayError, gatewayErrorCodes, gatewayErrorSchema, SwitchboardError, type GatewayError } from "@switchboard/contracts";
import { toHeaderValue } from "./header-value.js";

/**
 * Answers a request with a GatewayError: the services framework's error headers
 * (`Nats-Service-Error[-Code]`) for generic NATS tooling, plus the full error as the JSON body. The
 * message may quote a client's input, so the header gets a one-line, bounded copy; the body keeps it whole.
 */
export function respondWithError(message: ServiceMsg, error: GatewayError): void {
  message.respondError(error.status, toHeaderValue(error.message), JSON.stringify(error));
}

/** Turns any thrown value into a GatewayError, hiding the detail of unexpected failures. */
export function toGatewayError(thrown: unknown): GatewayError {
  if (thrown instanceof SwitchboardError) return thrown.error;
  return gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true });
}

/** Reads the GatewayError from an error reply, or null when the reply is a success. */
export function readErrorReply(reply: Msg): GatewayError | null {
  if (!ServiceError.isServiceError(reply)) return null;
  try {
    const parsed = gatewayErrorSchema.safeParse(reply.json());
    if (parsed.success) return parsed.data;
  } catch {
    // Not our JSON body: fall back to the framework headers below.
  }
  const serviceError = ServiceError.toServiceError(reply);
  const status = serviceError && serviceError.code >= 400 && serviceError.code <= 599 ? serviceError.code : 500;
  return gatewayError(gatewayErrorCodes.internal, status, serviceError?.message ?? "Service error", { retryable: status >= 500 });
}
