import { gatewayError, gatewayErrorCodes, SwitchboardError, type GatewayError, type HttpErrorBody } from "@switchboard/contracts";
import type { FastifyReply } from "fastify";

/** Detail that stays in the building on a 5xx of our own making: it can quote operator configuration. */
const maskedOnServerErrors = ["raw", "provider_code"];

/**
 * OpenRouter's error body for a GatewayError. A provider's failure keeps the provider's message
 * (`metadata.raw`, `provider_name`) whatever the status, as OpenRouter shows it: the connector has
 * sanitized and bounded that text, and scrubbed the operator's provider key out of it. Other
 * 5xx detail is not leaked beyond the message.
 */
export function toHttpErrorBody(error: GatewayError): HttpErrorBody {
  const metadata: Record<string, unknown> = { ...(error.metadata ?? {}), error_type: error.code, retryable: error.retryable };
  const fromProvider = typeof metadata["provider_name"] === "string";
  if (error.status >= 500 && !fromProvider) for (const key of maskedOnServerErrors) delete metadata[key];
  return { error: { code: error.status, message: error.message, metadata } };
}

/** Answers with a GatewayError in OpenRouter's shape and status; 503/429 get a Retry-After hint. */
export function sendError(reply: FastifyReply, error: GatewayError): FastifyReply {
  if (error.code === gatewayErrorCodes.rateLimitExceeded) {
    setRateLimitHeaders(reply, error);
  } else if (error.retryable && (error.status === 503 || error.status === 429)) {
    reply.header("retry-after", "1");
  }
  return reply.code(error.status).type("application/json; charset=utf-8").send(toHttpErrorBody(error));
}

/**
 * A key's own rate limit (rate-limits/rate-limit-exceeded.ts) knows when to come back: `Retry-After` in
 * seconds and OpenRouter's X-RateLimit-* headers, which its body repeats under `metadata.headers`.
 */
function setRateLimitHeaders(reply: FastifyReply, error: GatewayError): void {
  const retryAfter = error.metadata?.["retry_after"];
  reply.header("retry-after", typeof retryAfter === "number" ? String(retryAfter) : "1");
  const headers = error.metadata?.["headers"];
  if (typeof headers !== "object" || headers === null) return;
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("X-RateLimit-") && typeof value === "string") reply.header(name.toLowerCase(), value);
  }
}

/** Maps anything thrown in a route to a GatewayError, translating fastify's own errors. */
export function errorFromThrown(thrown: unknown): GatewayError {
  if (thrown instanceof SwitchboardError) return thrown.error;
  const fastifyError = thrown as { code?: string; statusCode?: number; message?: string };
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return gatewayError(gatewayErrorCodes.payloadTooLarge, 413, "Request body is larger than this server accepts (MAX_BODY_BYTES). Send a smaller request.");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return gatewayError(gatewayErrorCodes.invalidRequest, 415, "Unsupported Content-Type: send application/json.");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return gatewayError(gatewayErrorCodes.invalidRequest, 400, "Request body is empty: send a JSON object.");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return gatewayError(gatewayErrorCodes.invalidRequest, 400, "Content-Length does not match the body.");
    case "FST_ERR_BAD_URL":
      return gatewayError(gatewayErrorCodes.invalidRequest, 400, "The URL is not valid: it has a malformed percent-encoding.");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return gatewayError(gatewayErrorCodes.invalidRequest, 414, "A path parameter is longer than any id Switchboard issues.");
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return gatewayError(gatewayErrorCodes.invalidRequest, fastifyError.statusCode, fastifyError.message ?? "Bad request");
  }
  return gatewayError(gatewayErrorCodes.internal, 500, "Internal error. Retry; if it persists, report it with the X-Generation-Id.", { retryable: true });
}
