import type { NatsConnection } from "@nats-io/transport-node";
import { context, ROOT_CONTEXT, SpanKind, trace, type Link, type SpanContext } from "@opentelemetry/api";
import { endpointOutcomeReportSchema, type EndpointOutcomeReport, type Subjects } from "@switchboard/contracts";
import { injectSpanTraceContext, startMessagingSpan } from "@switchboard/messaging";
import { isTracing, messagingOperationTypes, type Logger } from "@switchboard/telemetry";
import { OutcomeAggregator, type AttemptOutcome } from "./outcome-aggregator.js";

/** Outcome reports go out at most once a second by default ... */
export const defaultOutcomeReportIntervalMs = 1_000;
/** ... and 100 ms after a failure: soon enough for a quick ejection, late enough that a burst of failures is one report. */
export const outcomeFailureDelayMs = 100;

/** Links beyond these add nothing an operator can follow, only bytes to every report's span. */
const maximumReportLinks = 32;

export interface OutcomeReporterOptions {
  connection: Pick<NatsConnection, "publish">;
  subjects: Subjects;
  logger: Logger;
  /** Outcomes are reported at most this often (`CONNECTOR_OUTCOME_REPORT_MS`, 1 s by default). */
  intervalMs: number;
  /** After a failure the report goes out this soon, so an ejection is quick, still batching a burst of failures. */
  failureDelayMs: number;
}

export interface OutcomeReporter {
  record(attempt: AttemptOutcome): void;
  /** Sends what is pending and stops the timers. */
  stop(): void;
}

/**
 * Tells the router how this connector's attempts went, per endpoint, on `subjects.endpointOutcomes`: one
 * message per interval with something to say, not one per request (issue 7: every message costs CPU on
 * the request path's core). Core NATS, not JetStream: health is soft state the router rebuilds from the
 * next reports; a report lost in a restart costs one second of measurements, and persisting them would
 * cost a stream write per report for nothing.
 *
 * Tracing: a report carries the outcomes of many attempts, so its PRODUCER span is the child of the first
 * attempt it reports (a lone request's trace then reaches the router) and links to the others (at most
 * `maximumReportLinks`).
 */
export function startOutcomeReporter(options: OutcomeReporterOptions): OutcomeReporter {
  const aggregator = new OutcomeAggregator();
  let reportedAttempts: SpanContext[] = [];
  let timer: NodeJS.Timeout | undefined;
  let dueAt = Number.POSITIVE_INFINITY;
  let lastReportAt = 0;
  const report = () => {
    timer = undefined;
    dueAt = Number.POSITIVE_INFINITY;
    const endpoints = aggregator.take();
    if (endpoints.length === 0) return;
    lastReportAt = Date.now();
    const message: EndpointOutcomeReport = { version: 1, sentAt: new Date(lastReportAt).toISOString(), endpoints };
    const [first, ...others] = reportedAttempts;
    reportedAttempts = [];
    const parent = first === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, first);
    const links: Link[] = others.map((spanContext) => ({ context: spanContext }));
    const subject = options.subjects.endpointOutcomes;
    const span = startMessagingSpan({ kind: SpanKind.PRODUCER, operationType: messagingOperationTypes.send, operationName: "publish", subject, parent, links });
    try {
      // Also when sampled out: the router then continues that decision (nothing written with tracing off).
      const headers = injectSpanTraceContext(undefined, span);
      options.connection.publish(subject, JSON.stringify(endpointOutcomeReportSchema.parse(message)), headers ? { headers } : undefined);
    } catch (error) {
      // A closing connection: the measurements are lost, which health tolerates (see above).
      options.logger.debug({ err: error }, "outcome report not sent");
    } finally {
      span.end();
    }
  };
  const scheduleIn = (delayMs: number) => {
    const at = Date.now() + delayMs;
    if (at >= dueAt) return;
    if (timer !== undefined) clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(report, delayMs);
    timer.unref();
  };
  return {
    record(attempt) {
      const failed = aggregator.record(attempt);
      if (isTracing() && reportedAttempts.length <= maximumReportLinks) {
        const attemptSpan = trace.getSpanContext(context.active());
        if (attemptSpan !== undefined) reportedAttempts.push(attemptSpan);
      }
      // Never more often than the failure delay, never later than the interval after the previous report.
      const sinceLast = Date.now() - lastReportAt;
      scheduleIn(failed ? options.failureDelayMs : Math.max(options.intervalMs - sinceLast, options.failureDelayMs));
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      report();
    },
  };
}
