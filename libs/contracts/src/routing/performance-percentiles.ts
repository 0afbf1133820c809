import { z } from "zod";

/**
 * Percentiles of one measurement over a window (OpenRouter's `{p50, p75, p90, p99}`): time to first token
 * in milliseconds, or output tokens per second, as the field holding it says.
 */
export const performancePercentilesSchema = z.object({
  p50: z.number().nonnegative(),
  p75: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p99: z.number().nonnegative(),
});
export type PerformancePercentiles = z.infer<typeof performancePercentilesSchema>;

/** The percentiles every figure holds, in order. */
export const performancePercentileNames = ["p50", "p75", "p90", "p99"] as const;
export type PerformancePercentileName = (typeof performancePercentileNames)[number];
