import type { Percentiles } from "./bench-report.js";
import type { MachineDescription } from "./machine-description.js";
import type { ScrapeCounts } from "./metrics-scraper.js";

/** One of the two stacks over every measured slice at one concurrency. */
export interface ComparedStackFigures {
  /** 2xx answers over the measured slices. */
  requests: number;
  errors: number;
  /** Latency through Switchboard of every 2xx of the measured slices, milliseconds. */
  switchboardMs: Percentiles;
  /** The seven stack processes' CPU over its slices (each until its generations were recorded and charged), per 2xx. */
  cpuMsPerRequest: number;
  processes: { name: string; cpuMsPerRequest: number }[];
}

/** Telemetry off against on at one concurrency. */
export interface ComparedConcurrency {
  concurrency: number;
  /** Requests each stack was sent per slice: as many as the stack with telemetry off answered in the slice's seconds when warmed up. */
  requestsPerSlice: number;
  off: ComparedStackFigures;
  on: ComparedStackFigures;
  /** on ÷ off − 1 of the CPU per request: issue 12 allows 0.15. */
  cpuGrowth: number;
  /** on − off of the p50 latency through Switchboard (the upstream is the same, so this is the added p50's growth): issue 12 allows 0.1 ms. */
  p50GrowthMs: number;
  /** on ÷ off − 1 of the CPU per request in each round, in the order run; each leans with the round's order (growth-per-pair-of-rounds.ts). */
  cpuGrowthPerRound: number[];
  /** The same of each pair of rounds, where the order's lean cancels: how much the measurement agrees with itself. */
  cpuGrowthPerPairOfRounds: number[];
}

/** What `BENCH_TELEMETRY=compare` measured (run-telemetry-comparison.ts). */
export interface TelemetryComparisonReport {
  startedAt: string;
  durationSeconds: number;
  machine: MachineDescription;
  /** BENCH_TELEMETRY=control: both stacks had telemetry off ("on" is then just the second stack); nothing was exported or scraped. */
  control: boolean;
  options: { stackCpus: string | undefined; loadCpus: string | undefined; rounds: number; concurrencies: number[]; sliceSeconds: number; scrapeSeconds: number; logLevel: string };
  concurrencies: ComparedConcurrency[];
  /** What the telemetry stack's collector received, and its scrapes. */
  spansReceived: number;
  spansPerRequest: number;
  rejectedExports: number;
  scrapes: ScrapeCounts[];
  /** Every 2xx of each stack (warm-up included) recorded and charged once. */
  audit: { off: { answered: number; recorded: number; charged: number }; on: { answered: number; recorded: number; charged: number }; matches: boolean };
}
