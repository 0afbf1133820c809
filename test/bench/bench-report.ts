import type { BenchOptions } from "./bench-options.js";
import type { MachineDescription } from "./machine-description.js";
import type { ScrapeCounts } from "./metrics-scraper.js";

/** Percentiles of a set of durations, milliseconds. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}

/** Non-streaming latency at one concurrency: direct to the fake upstream, through Switchboard, and the difference. */
export interface LatencyFigures {
  concurrency: number;
  requests: number;
  errors: number;
  directMs: Percentiles;
  switchboardMs: Percentiles;
  addedMs: Percentiles;
  /**
   * CPU of the seven stack processes per request over this run (its calibration included) and the
   * settlement of its generations; idle work over the interval (heartbeats, timers) is included. At
   * concurrency 1 nothing is batched: every hop of every request wakes a process (ingress, connector,
   * NATS, billing, metadata-logging, PostgreSQL) on its own, and this figure carries those wake-ups,
   * which a saturated stack shares among the requests of a batch. Seen on a 2-core VM: 16–18 ms at
   * concurrency 1 against 3.5–4 ms at saturation (test/bench/README.md).
   */
  stackCpuMsPerRequest: number;
}

/** Streaming time to first token at one number of concurrent streams. */
export interface FirstTokenFigures {
  streams: number;
  requests: number;
  errors: number;
  directMs: Pick<Percentiles, "p50" | "p99">;
  switchboardMs: Pick<Percentiles, "p50" | "p99">;
  addedMs: Pick<Percentiles, "p50" | "p99">;
}

/** One step of the concurrent-streams test. */
export interface StreamStepFigures {
  streams: number;
  /** Gaps between chunks longer than the upstream's pacing plus the threshold, over all streams. */
  stalls: number;
  streamsWithStalls: number;
  /** Streams that did not answer 200 or did not end with `[DONE]`. */
  failed: number;
  longestGapMs: number;
  firstTokenMs: Pick<Percentiles, "p50" | "p99">;
  seconds: number;
}

/** CPU and memory of one process over the saturation run. */
export interface ProcessFigures {
  name: string;
  /** Processes counted (postgres: the postmaster and its children). */
  processes: number;
  /** Largest resident set seen at the end of any phase, MiB. */
  rssMiB: number;
  /** Proportional set at the same moment (shared pages divided among their sharers), MiB. */
  pssMiB: number;
  /** CPU time used during the saturation run, milliseconds. */
  cpuMs: number;
  cpuMsPerRequest: number;
}

/**
 * Telemetry during the run (BENCH_TELEMETRY): whether the services exported traces and had their /metrics
 * scraped, and what came of it, so that a run that silently exported nothing is visible. All zero when off.
 */
export interface TelemetryFigures {
  enabled: boolean;
  /** The OTLP protocol of the services' exporters; "none" when off. */
  protocol: "http/protobuf" | "http/json" | "none";
  /**
   * Spans the collector received from the stack start until the end of the measurements; those still in
   * a service's batch at that moment (the batch processor exports every 5 s) are not counted.
   */
  spansReceived: number;
  /** Trace exports answered 200, and their bytes as sent. */
  traceExports: number;
  traceExportBytes: number;
  /** Requests the collector could not take as a trace export. */
  rejectedExports: number;
  /** Between two scrapes of each /metrics, milliseconds; 0 when off. */
  scrapeIntervalMs: number;
  /** Per service, in the order ingress, router, provider-connector, billing, metadata-logging; empty when off. */
  scrapes: ScrapeCounts[];
}

/** Everything one `npm run bench` measured, as printed and written to its JSON file. */
export interface BenchReport {
  startedAt: string;
  durationSeconds: number;
  machine: MachineDescription;
  options: BenchOptions;
  latency: LatencyFigures[];
  saturation: {
    connections: number;
    /** One account's key on every connection: the run the CPU figures under `processes` are measured on. */
    switchboardRequestsPerSecond: number;
    switchboardRequests: number;
    switchboardErrors: number;
    /**
     * The same number of requests over the same connections, spread over many accounts (each connection
     * using one account's key, round robin): what a busy account costs compared with many (issue 7 wants
     * the one account within 10 % of the many).
     */
    manyAccounts: {
      accounts: number;
      requestsPerSecond: number;
      requests: number;
      errors: number;
    };
    /** `manyAccounts.requestsPerSecond` / `switchboardRequestsPerSecond`; above 1 when one account is the slower; 0 when the one account served nothing. */
    manyToOneAccountRatio: number;
    upstreamRequestsPerSecond: number;
    upstreamErrors: number;
    /** The measured interval of the one-account run: the run, then until its generations were recorded and charged. */
    measuredSeconds: number;
  };
  firstToken: FirstTokenFigures[];
  streamSteps: StreamStepFigures[];
  /** The largest step with no stall and no failed stream; 0 when even the first had one. */
  largestStallFreeStreams: number;
  /** The seven processes of the stack, in a fixed order. */
  processes: ProcessFigures[];
  totalCpuMsPerRequest: number;
  /** Outside the stack, for reference: the fake upstream, the span collector (telemetry on) and the load generator over the same interval. */
  loadSide: ProcessFigures[];
  telemetry: TelemetryFigures;
  audit: {
    /** 2xx answers Switchboard gave in the whole run (warm-up and every account included). */
    switchboardSucceeded: number;
    /** Non-2xx answers, connection errors and failed streams, through Switchboard, whole run. */
    switchboardFailed: number;
    /** Generations of the one account and of the many accounts together. */
    generationsRecorded: number;
    generationsCharged: number;
    /** Recorded and charged both equal the 2xx count, for the one account and for the many accounts each. */
    matches: boolean;
  };
}
