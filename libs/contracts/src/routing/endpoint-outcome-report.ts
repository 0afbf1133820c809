import { z } from "zod";

/**
 * How an attempt at an endpoint ended, as health counts it. `client_error` (a 4xx other than 429) is the
 * request's fault, not the provider's: it counts neither as a success nor as a failure (OpenRouter's
 * uptime leaves such errors out too).
 */
export const endpointOutcomeClasses = {
  ok: "ok",
  rateLimited: "rate_limited",
  serverError: "server_error",
  timeout: "timeout",
  connectError: "connect_error",
  clientError: "client_error",
} as const;
export type EndpointOutcomeClass = (typeof endpointOutcomeClasses)[keyof typeof endpointOutcomeClasses];

/** At most this many latency and throughput samples per endpoint and report: a report stays small under any load. */
export const maximumOutcomeSamples = 32;

const count = z.number().int().nonnegative();
const samples = z.array(z.number().nonnegative()).max(maximumOutcomeSamples);

/** The outcomes of one endpoint's attempts since the connector's previous report. */
export const endpointOutcomesSchema = z.object({
  endpointId: z.string(),
  counts: z.object({
    ok: count,
    rate_limited: count,
    server_error: count,
    timeout: count,
    connect_error: count,
    client_error: count,
  }),
  /**
   * Provider failures after the last success in this report (all of them when none succeeded): the
   * aggregate keeps what consecutive-failure ejection needs from the order of the attempts.
   */
  trailingFailures: count,
  /** Time to first token of successful attempts, in milliseconds (a sample when there were more). */
  timeToFirstTokenMilliseconds: samples,
  /** Output tokens per second after the first token, of successful attempts that produced tokens. */
  outputTokensPerSecond: samples,
});
export type EndpointOutcomes = z.infer<typeof endpointOutcomesSchema>;

/**
 * What a provider connector replica tells the router about the attempts it made, aggregated per endpoint
 * and sent at most about once a second (sooner after a failure), never once per request: the request
 * path's CPU is the product's bottleneck (issue 7). Health is judged from this real traffic only.
 */
export const endpointOutcomeReportSchema = z.object({
  version: z.literal(1),
  /** When the connector sent the report; the router judges by its own clock on receipt. */
  sentAt: z.iso.datetime(),
  endpoints: z.array(endpointOutcomesSchema),
});
export type EndpointOutcomeReport = z.infer<typeof endpointOutcomeReportSchema>;
