import type { NatsConnection } from "@nats-io/transport-node";
import { rateLimitCountsSchema, type RateLimitCounts, type Subjects } from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import type { RateLimiter } from "./rate-limiter.js";

/** Keys per message: 5,000 entries of ~150 bytes stay well under NATS's default 1 MB max_payload. */
const keysPerMessage = 5_000;

export interface ShareRateLimitCountsOptions {
  connection: Pick<NatsConnection, "publish" | "subscribe">;
  subjects: Pick<Subjects, "rateLimitCounts">;
  limiter: Pick<RateLimiter, "report" | "apply">;
  replica: string;
  /** How often this replica publishes its counts (RateLimiter's `reportIntervalMs`). */
  intervalMs: number;
  /**
   * How often a report carries every counted key rather than only those that changed (default 1 s): what a
   * replica that just started, or lost a report, converges by.
   */
  fullReportIntervalMs?: number;
  logger: Pick<Logger, "warn">;
}

/** Stops sharing; call when the app closes. */
export type StopSharingRateLimitCounts = () => void;

/**
 * Exchanges rate-limit counts with the other ingress replicas over core NATS (issue 10): publishes this
 * replica's counts every `intervalMs`, an empty report too (the others learn it is alive and idle), and
 * hands the others' reports to the limiter. Nothing here is on the request path. A report carries only the
 * keys whose counts changed since the previous one, so that the traffic follows the keys in use rather
 * than every key counted in the last two windows; every `fullReportIntervalMs` one carries them all. Core
 * NATS delivers at most once: a lost report leaves the others' picture of its keys as it was until the
 * key's next change or the next full report.
 */
export function shareRateLimitCounts(options: ShareRateLimitCountsOptions): StopSharingRateLimitCounts {
  const { connection, subjects, limiter, replica, logger } = options;
  const subscription = connection.subscribe(subjects.rateLimitCounts, {
    callback: (error, message) => {
      if (error) {
        logger.warn({ err: error }, "rate-limit counts subscription failed; this replica now limits keys by its own counts only");
        return;
      }
      const parsed = rateLimitCountsSchema.safeParse(safeJson(message.data));
      if (parsed.success) limiter.apply(parsed.data);
      else logger.warn({ issues: parsed.error.issues.slice(0, 3) }, "rate-limit counts report does not parse; ignored");
    },
  });
  const reportsPerFullReport = Math.max(1, Math.round((options.fullReportIntervalMs ?? 1_000) / options.intervalMs));
  let reportsSent = 0;
  const timer = setInterval(() => {
    const keys = limiter.report({ onlyChanged: reportsSent % reportsPerFullReport !== 0 });
    reportsSent++;
    try {
      for (let start = 0; start === 0 || start < keys.length; start += keysPerMessage) {
        const report: RateLimitCounts = { version: 1, replica, keys: keys.slice(start, start + keysPerMessage) };
        connection.publish(subjects.rateLimitCounts, JSON.stringify(report));
      }
    } catch (error) {
      logger.warn({ err: error }, "could not publish rate-limit counts; the other replicas see this one's as of its last report");
    }
  }, options.intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    subscription.unsubscribe();
  };
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
