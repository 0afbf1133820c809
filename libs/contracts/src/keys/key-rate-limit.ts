import { z } from "zod";

/** The longest rate-limit interval a key may have: one day. */
export const maximumRateLimitIntervalSeconds = 86_400;

/**
 * A key's rate limit as services exchange it (issue 10): at most `requests` model requests per
 * `intervalSeconds`, counted across every ingress replica. Null on a key means "the ingress default"
 * (RATE_LIMIT_REQUESTS), which is no limit unless configured.
 */
export const keyRateLimitSchema = z.strictObject({
  requests: z.number().int().min(1).max(1_000_000_000),
  intervalSeconds: z.number().int().min(1).max(maximumRateLimitIntervalSeconds),
});
export type KeyRateLimit = z.infer<typeof keyRateLimitSchema>;

const unitSeconds = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** An interval as OpenRouter writes one, `10s`, `1m`, `2h`, `1d`; the seconds it means, or undefined. */
export function parseRateLimitInterval(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,5})(s|m|h|d)$/.exec(text);
  if (!match) return undefined;
  const seconds = Number(match[1]) * unitSeconds[match[2] as keyof typeof unitSeconds];
  return seconds <= maximumRateLimitIntervalSeconds ? seconds : undefined;
}

/** The shortest exact way to write an interval: 60 → `1m`, 90 → `90s`, 86400 → `1d`. */
export function formatRateLimitInterval(seconds: number): string {
  if (seconds % unitSeconds.d === 0) return `${seconds / unitSeconds.d}d`;
  if (seconds % unitSeconds.h === 0) return `${seconds / unitSeconds.h}h`;
  if (seconds % unitSeconds.m === 0) return `${seconds / unitSeconds.m}m`;
  return `${seconds}s`;
}

/**
 * `rate_limit` in a key-management request body: `{"requests": 100, "interval": "1m"}`, or null for the
 * ingress default.
 */
export const rateLimitBodySchema = z
  .strictObject({
    requests: keyRateLimitSchema.shape.requests,
    interval: z.string().max(16),
  })
  .transform((body, context): KeyRateLimit => {
    const intervalSeconds = parseRateLimitInterval(body.interval);
    if (intervalSeconds === undefined) {
      context.addIssue({ code: "custom", path: ["interval"], message: "must be a whole number of s, m, h or d, at most 1d, such as \"10s\" or \"1m\"" });
      return z.NEVER;
    }
    return { requests: body.requests, intervalSeconds };
  })
  .nullable();

/** OpenRouter's `rate_limit` object, on a key and on `GET /key`. */
export const presentedRateLimitSchema = z.object({ requests: z.number(), interval: z.string(), note: z.string() });
export type PresentedRateLimit = z.infer<typeof presentedRateLimitSchema>;
