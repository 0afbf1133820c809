import { z } from "zod";

/** Whether routing should avoid an endpoint: `ejected` endpoints are tried only after every other one. */
export const endpointHealthStatuses = { healthy: "healthy", ejected: "ejected" } as const;
export type EndpointHealthStatus = (typeof endpointHealthStatuses)[keyof typeof endpointHealthStatuses];

const fraction = z.number().min(0).max(1);

/**
 * The router's judgement of one endpoint from real traffic (the connectors' outcome reports). Figures are
 * null while the window holds no attempt that counts. Uptime is the share of attempts that did not fail
 * by the provider's fault (429, 5xx, timeout, connect error); requests the provider rejected as invalid
 * are left out.
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
});
export type EndpointHealth = z.infer<typeof endpointHealthSchema>;
