import { formatRateLimitInterval, type KeyRateLimit, type PresentedRateLimit } from "./key-rate-limit.js";

/** Where the limit in force comes from, said in its `note`. */
export const rateLimitSources = { key: "key", ingressDefault: "ingress-default" } as const;
export type RateLimitSource = (typeof rateLimitSources)[keyof typeof rateLimitSources];

const notes: Record<RateLimitSource, string> = {
  key: "Set on this key: requests per interval across every ingress replica; more get 429 with Retry-After.",
  "ingress-default": "The ingress default (RATE_LIMIT_REQUESTS per RATE_LIMIT_INTERVAL_SECONDS) for keys without their own: more get 429 with Retry-After.",
};

/**
 * A rate limit in OpenRouter's `{requests, interval, note}` shape; without one, what OpenRouter answers
 * for a key without a limit (`requests: -1`).
 */
export function presentRateLimit(limit: KeyRateLimit | null, source: RateLimitSource = rateLimitSources.key): PresentedRateLimit {
  if (limit === null) return { requests: -1, interval: "10s", note: "No rate limit applies to this key." };
  return { requests: limit.requests, interval: formatRateLimitInterval(limit.intervalSeconds), note: notes[source] };
}
