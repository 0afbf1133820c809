import { formatRateLimitInterval, gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import type { RateLimitRefusal } from "./rate-limiter.js";

/**
 * OpenRouter's 429 for its own rate limits: `metadata.headers` holds X-RateLimit-Limit/Remaining/Reset
 * (Reset in epoch milliseconds), which send-error.ts also sends as HTTP headers with `Retry-After` (seconds).
 */
export function rateLimitExceeded(refusal: RateLimitRefusal): SwitchboardError {
  const { limit, retryAfterSeconds, resetAtMs } = refusal;
  return new SwitchboardError(
    gatewayError(
      gatewayErrorCodes.rateLimitExceeded,
      429,
      `Rate limit exceeded: this key may make ${limit.requests} requests per ${formatRateLimitInterval(limit.intervalSeconds)}. Retry after ${retryAfterSeconds} s.`,
      {
        retryable: true,
        metadata: {
          headers: { "X-RateLimit-Limit": String(limit.requests), "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(resetAtMs) },
          retry_after: retryAfterSeconds,
        },
      },
    ),
  );
}
