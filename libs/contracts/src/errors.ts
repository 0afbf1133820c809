import { z } from "zod";

/** The closed set of error codes that cross service boundaries. Decide by code, never by class. */
export const gatewayErrorCodes = {
  invalidRequest: "invalid_request",
  unsupportedParameter: "unsupported_parameter",
  unauthorized: "unauthorized",
  forbidden: "forbidden",
  insufficientCredits: "insufficient_credits",
  notFound: "not_found",
  modelNotFound: "model_not_found",
  noEndpoints: "no_endpoints",
  payloadTooLarge: "payload_too_large",
  upstreamError: "upstream_error",
  upstreamTimeout: "upstream_timeout",
  upstreamRateLimited: "upstream_rate_limited",
  /** A key's own rate limit (or the ingress default), not a provider's: OpenRouter's `rate_limit_exceeded`. */
  rateLimitExceeded: "rate_limit_exceeded",
  serviceUnavailable: "service_unavailable",
  cancelled: "cancelled",
  internal: "internal",
} as const;
export type GatewayErrorCode = (typeof gatewayErrorCodes)[keyof typeof gatewayErrorCodes];

/** The one error shape on the wire between services. Only ingress maps it to HTTP. */
export const gatewayErrorSchema = z.object({
  code: z.enum(Object.values(gatewayErrorCodes) as [GatewayErrorCode, ...GatewayErrorCode[]]),
  message: z.string(),
  /** The HTTP status ingress should answer with. */
  status: z.number().int().min(400).max(599),
  /** True when the same request may succeed if tried again (elsewhere or later). */
  retryable: z.boolean(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type GatewayError = z.infer<typeof gatewayErrorSchema>;

/** A local exception carrying a GatewayError, so handlers can throw and edges can answer. */
export class SwitchboardError extends Error {
  readonly error: GatewayError;

  constructor(error: GatewayError, options?: { cause?: unknown }) {
    super(error.message, options);
    this.name = "SwitchboardError";
    this.error = error;
  }
}

/** Shorthand for building a GatewayError with its defaults. */
export function gatewayError(
  code: GatewayErrorCode,
  status: number,
  message: string,
  options: { retryable?: boolean; metadata?: Record<string, unknown> } = {},
): GatewayError {
  const error: GatewayError = { code, status, message, retryable: options.retryable ?? false };
  if (options.metadata !== undefined) error.metadata = options.metadata;
  return error;
}

/** OpenRouter's HTTP error body: `{"error":{"code":<status>,"message","metadata"}}`. */
export const httpErrorBodySchema = z.object({
  error: z.object({
    code: z.number().int(),
    message: z.string(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type HttpErrorBody = z.infer<typeof httpErrorBodySchema>;
