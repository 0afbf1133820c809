import type { OutageRun } from "./outage-run.js";
import { percentile } from "./percentile.js";
import type { TrafficRecord } from "./steady-traffic.js";

export interface OutageSummaryOptions {
  /** From this long after the dependency is gone, the services are expected to know it. */
  knownAfterMs: number;
  /** Requests started this long after the dependency is back must all succeed. */
  recoveredAfterMs: number;
  /** A generation in flight when the outage began must end within this long of the dependency coming back. */
  inFlightEndWithinMs: number;
}

/** A request, described in one line for a failure message. */
export interface RequestNote {
  kind: TrafficRecord["kind"];
  /** Milliseconds after the dependency was stopped (negative: before). */
  startedAfterStopMs: number;
  latencyMs: number | undefined;
  outcome: string;
}

/**
 * The figures of one outage run, in milliseconds relative to the events of the run, ready to print and
 * to assert on.
 */
export interface OutageSummary {
  timeline: { stopTookMs: number; downForMs: number; restartTookMs: number };
  warmUp: { requests: number; succeeded: number };
  /** Requests started while the dependency was down. */
  duringOutage: {
    requests: number;
    statuses: Record<string, number>;
    /** Answers that are not a 503 with `Retry-After` and `{"error":{"code":503,"metadata":{"retryable":true}}}`. */
    notRetryable503: RequestNote[];
    /** Requests served in full although the dependency was down (credit leases and cached keys need no database). */
    succeeded: number;
    /** Answers that are neither served in full nor a retryable 503 as above. */
    neitherServedNorRetryable503: RequestNote[];
  };
  /** Requests started once the outage is known: their latency. */
  onceKnown: { requests: number; p50Ms: number; p99Ms: number; maxMs: number };
  readiness: {
    /** Statuses of the probes started once the outage is known and before the restart ("none" = no answer). */
    duringOutage: Record<string, number>;
    /** First 503 after the stop. */
    firstNotReadyAfterStopMs: number | undefined;
    /** First 200 after the dependency came back. */
    readyAgainAfterUpMs: number | undefined;
  };
  recovery: {
    /** From the dependency being back to the first request after which every request succeeded. */
    recoveredAfterUpMs: number | undefined;
    /** Requests started `recoveredAfterMs` or more after the dependency came back. */
    requestsAfterWindow: number;
    failuresAfterWindow: RequestNote[];
  };
  /** Generations open when the dependency was stopped. */
  inFlightAtStop: {
    count: number;
    withOutput: number;
    /** The last of them to end, relative to the dependency coming back (negative: before). */
    lastEndedAfterUpMs: number | undefined;
    late: RequestNote[];
    outcomes: Record<string, number>;
  };
}

/** A request that got what it asked for: 200, content, and for a stream a clean `[DONE]` without an error chunk. */
function succeeded(record: TrafficRecord): boolean {
  if (record.status !== 200 || !record.producedOutput) return false;
  return record.kind === "whole" || (record.streamEnd === "done" && record.errorChunk === undefined);
}

function describeOutcome(record: TrafficRecord): string {
  if (record.failure !== undefined) return `failed: ${record.failure}`;
  if (record.endedAt === undefined) return "still open";
  if (record.status !== 200) {
    const error = (record.errorBody as { error?: { message?: string } } | undefined)?.error;
    return `${record.status}${record.retryAfter === undefined ? "" : " retry-after"} ${error?.message ?? JSON.stringify(record.errorBody)}`;
  }
  if (record.kind === "whole") return record.producedOutput ? "200" : "200 without content";
  const error = record.errorChunk ? ` error chunk ${record.errorChunk.code} ${record.errorChunk.message}` : "";
  return `200 stream ${record.streamEnd ?? "?"}${record.producedOutput ? " with output" : " without output"}${error}`;
}

function isRetryable503(record: TrafficRecord): boolean {
  const body = record.errorBody as { error?: { code?: unknown; metadata?: { retryable?: unknown } } } | undefined;
  return record.status === 503 && record.retryAfter !== undefined && body?.error?.code === 503 && body.error.metadata?.retryable === true;
}

function count(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** "red 120 ms after the stop", "red 80 ms before the restart", or "red: never". */
function after(what: string, milliseconds: number | undefined, event: string): string {
  if (milliseconds === undefined) return `${what}: never`;
  return milliseconds < 0 ? `${what} ${-milliseconds} ms before ${event}` : `${what} ${milliseconds} ms after ${event}`;
}

/** The headline figures in one line, for the log of a passing run. */
export function describeOutageSummary(summary: OutageSummary): string {
  const { duringOutage, onceKnown, readiness, recovery, inFlightAtStop } = summary;
  const statuses = Object.entries(duringOutage.statuses).map(([status, count]) => `${status}×${count}`).join(" ");
  const readyz = Object.entries(readiness.duringOutage).map(([status, count]) => `${status}×${count}`).join(" ");
  return [
    `${duringOutage.requests} requests during the outage (${statuses}), once known p50 ${onceKnown.p50Ms} ms p99 ${onceKnown.p99Ms} ms`,
    `/readyz during it ${readyz}, ${after("red", readiness.firstNotReadyAfterStopMs, "the stop")}, ${after("green", readiness.readyAgainAfterUpMs, "the restart")}`,
    after("every request succeeded from", recovery.recoveredAfterUpMs, "the restart"),
    `${inFlightAtStop.count} generations open at the stop, ${after("the last ended", inFlightAtStop.lastEndedAfterUpMs, "the restart")}`,
  ].join("; ");
}

export function summarizeOutage(run: OutageRun, options: OutageSummaryOptions): OutageSummary {
  const { records, readiness } = run;
  const note = (record: TrafficRecord): RequestNote => ({
    kind: record.kind,
    startedAfterStopMs: Math.round(record.startedAt - run.stopRequestedAt),
    latencyMs: record.endedAt === undefined ? undefined : Math.round(record.endedAt - record.startedAt),
    outcome: describeOutcome(record),
  });
  const startedBetween = (from: number, to: number) => records.filter((record) => record.startedAt >= from && record.startedAt < to);

  const warmUp = records.filter((record) => record.endedAt !== undefined && record.endedAt < run.stopRequestedAt);
  const during = startedBetween(run.downAt, run.restartRequestedAt);
  const known = startedBetween(run.downAt + options.knownAfterMs, run.restartRequestedAt);
  const knownLatencies = known.map((record) => (record.endedAt ?? Number.POSITIVE_INFINITY) - record.startedAt);

  const probesDuring = readiness.filter((answer) => answer.startedAt >= run.downAt + options.knownAfterMs && answer.startedAt < run.restartRequestedAt);
  const firstNotReady = readiness.find((answer) => answer.startedAt >= run.stopRequestedAt && answer.status === 503);
  const readyAgain = readiness.find((answer) => answer.startedAt >= run.upAt && answer.status === 200);

  const afterUp = records.filter((record) => record.startedAt >= run.upAt).sort((left, right) => left.startedAt - right.startedAt);
  const lastFailure = afterUp.findLastIndex((record) => !succeeded(record));
  const firstOfGoodRun = afterUp[lastFailure + 1];
  const afterWindow = afterUp.filter((record) => record.startedAt >= run.upAt + options.recoveredAfterMs);

  const openAtStop = records.filter((record) => record.startedAt < run.stopRequestedAt && (record.endedAt === undefined || record.endedAt > run.stopRequestedAt));
  const ends = openAtStop.map((record) => (record.endedAt ?? Number.POSITIVE_INFINITY) - run.upAt);
  const late = openAtStop.filter((record) => (record.endedAt ?? Number.POSITIVE_INFINITY) > run.upAt + options.inFlightEndWithinMs);

  return {
    timeline: {
      stopTookMs: Math.round(run.downAt - run.stopRequestedAt),
      downForMs: Math.round(run.upAt - run.downAt),
      restartTookMs: Math.round(run.upAt - run.restartRequestedAt),
    },
    warmUp: { requests: warmUp.length, succeeded: warmUp.filter(succeeded).length },
    duringOutage: {
      requests: during.length,
      statuses: count(during.map((record) => (record.status === undefined ? "no answer" : String(record.status)))),
      notRetryable503: during.filter((record) => !isRetryable503(record)).map(note),
      succeeded: during.filter(succeeded).length,
      neitherServedNorRetryable503: during.filter((record) => !succeeded(record) && !isRetryable503(record)).map(note),
    },
    onceKnown: {
      requests: known.length,
      p50Ms: round(percentile(knownLatencies, 50)),
      p99Ms: round(percentile(knownLatencies, 99)),
      maxMs: round(Math.max(...knownLatencies)),
    },
    readiness: {
      duringOutage: count(probesDuring.map((answer) => (answer.status === undefined ? "none" : String(answer.status)))),
      firstNotReadyAfterStopMs: firstNotReady === undefined ? undefined : Math.round(firstNotReady.endedAt - run.stopRequestedAt),
      readyAgainAfterUpMs: readyAgain === undefined ? undefined : Math.round(readyAgain.endedAt - run.upAt),
    },
    recovery: {
      recoveredAfterUpMs: firstOfGoodRun === undefined ? undefined : Math.round(firstOfGoodRun.startedAt - run.upAt),
      requestsAfterWindow: afterWindow.length,
      failuresAfterWindow: afterWindow.filter((record) => !succeeded(record)).map(note),
    },
    inFlightAtStop: {
      count: openAtStop.length,
      withOutput: openAtStop.filter((record) => record.producedOutput).length,
      lastEndedAfterUpMs: ends.length === 0 ? undefined : Math.round(Math.max(...ends)),
      late: late.map(note),
      outcomes: count(openAtStop.map((record) => `${record.kind}: ${describeOutcome(record).replace(/gen-\S+/g, "gen-…")}`)),
    },
  };
}
