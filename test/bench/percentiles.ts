import { percentile } from "../support/percentile.js";
import type { Percentiles } from "./bench-report.js";

/** The p50, p90 and p99 of a set of durations, as every latency figure of the benchmark reports them. */
export function percentiles(values: readonly number[]): Percentiles {
  return { p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99) };
}
