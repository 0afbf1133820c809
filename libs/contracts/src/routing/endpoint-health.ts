import { z } from "zod";
import { performancePercentilesSchema } from "./performance-percentiles.js";

/** Whether routing should avoid an endpoint: `ejected` endpoints are tried only after every other one. */
export const endpointHealthStatuses = { healthy: "healthy", ejected: "ejected" } as const;
export type EndpointHealthStatus = (typeof endpointHealthStatuses)[keyof typeof endpointHealthStatuses];

const fraction = z.number().min(0).max(1);

/**
 * The router's judgement of one endpoint from real traffic (the connectors' outcome reports). Figures are
 * null while the window holds no attempt that counts. Uptime is the share of attempts that did not fail
 * by the provider's fault (429, 5xx, timeout, connect error); requests the provider rejected as invalid
 * are left out.
 *
 * The fields marked optional came later (issue 9's longer figures and the backoff a restarted router
 * resumes from): a router that predates them leaves them out, and readers treat them as unmeasured.
 */
export const endpointHealthSchema = z.object({
  status: z.enum([endpointHealthStatuses.healthy, endpointHealthStatuses.ejected]),
  /** When an ejected endpoint is tried again; null when it is not ejected. */
  ejectedUntil: z.iso.datetime().nullable(),
  uptimeLast30Seconds: fraction.nullable(),
  uptimeLast5Minutes: fraction.nullable(),
  /** Median time to first token over the last 5 minutes. */
  latencyP50Milliseconds: z.number().nonnegative().nullable(),
  /** Median output tokens per second over the last 5 minutes. */
  throughputP50TokensPerSecond: z.number().nonnegative().nullable(),
  /** Attempts that counted for uptime over the last 5 minutes. */
  requestsLast5Minutes: z.number().int().nonnegative(),
  /** Ejections in a row without a success between them: the next ejection lasts the first one times 2^this (capped). */
  ejectionsInRow: z.number().int().nonnegative().optional(),
  uptimeLast30Minutes: fraction.nullable().optional(),
  uptimeLastDay: fraction.nullable().optional(),
  /** Time to first token over the last 5 minutes, milliseconds: what `preferred_max_latency` is judged by. */
  latencyLast5Minutes: performancePercentilesSchema.nullable().optional(),
  /** Output tokens per second over the last 5 minutes: what `preferred_min_throughput` is judged by. */
  throughputLast5Minutes: performancePercentilesSchema.nullable().optional(),
  /** Time to first token over the last 30 minutes, milliseconds (the endpoints listing's `latency_last_30m`). */
  latencyLast30Minutes: performancePercentilesSchema.nullable().optional(),
  throughputLast30Minutes: performancePercentilesSchema.nullable().optional(),
});
export type EndpointHealth = z.infer<typeof endpointHealthSchema>;
