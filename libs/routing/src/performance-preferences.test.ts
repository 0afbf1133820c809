import { describe, expect, it } from "vitest";
import type { EndpointHealth } from "@switchboard/contracts";
import { createPerformanceMissCheck, type PerformancePreferences } from "./performance-preferences.js";

/** Measured over 5 minutes: 400 ms … 2 s to the first token, 20 … 80 tokens/s. */
const measured: EndpointHealth = {
  status: "healthy",
  ejectedUntil: null,
  uptimeLast30Seconds: 1,
  uptimeLast5Minutes: 1,
  latencyP50Milliseconds: 400,
  throughputP50TokensPerSecond: 80,
  requestsLast5Minutes: 50,
  latencyLast5Minutes: { p50: 400, p75: 700, p90: 1_000, p99: 2_000 },
  throughputLast5Minutes: { p50: 80, p75: 60, p90: 40, p99: 20 },
};
/** From a router that published medians only. */
const mediansOnly: EndpointHealth = { ...measured, latencyLast5Minutes: undefined, throughputLast5Minutes: undefined };
const unmeasured: EndpointHealth = { ...measured, latencyP50Milliseconds: null, throughputP50TokensPerSecond: null, latencyLast5Minutes: null, throughputLast5Minutes: null };

const table: { name: string; preferences: PerformancePreferences; health: EndpointHealth | undefined; misses: boolean }[] = [
  { name: "latency number is the p50, in seconds: 0.5 s ≥ 400 ms", preferences: { maximumLatency: 0.5 }, health: measured, misses: false },
  { name: "latency number: 0.3 s < 400 ms", preferences: { maximumLatency: 0.3 }, health: measured, misses: true },
  { name: "latency at the limit meets it", preferences: { maximumLatency: 0.4 }, health: measured, misses: false },
  { name: "latency p99 over its maximum", preferences: { maximumLatency: { p50: 1, p99: 1.5 } }, health: measured, misses: true },
  { name: "latency p75 and p90 within", preferences: { maximumLatency: { p75: 0.7, p90: 1 } }, health: measured, misses: false },
  { name: "throughput number is the p50: 80 ≥ 50", preferences: { minimumThroughput: 50 }, health: measured, misses: false },
  { name: "throughput number: 80 < 100", preferences: { minimumThroughput: 100 }, health: measured, misses: true },
  { name: "throughput p90 under its minimum", preferences: { minimumThroughput: { p90: 50 } }, health: measured, misses: true },
  { name: "both met", preferences: { maximumLatency: 1, minimumThroughput: { p99: 10 } }, health: measured, misses: false },
  { name: "one of both missed", preferences: { maximumLatency: 1, minimumThroughput: { p99: 30 } }, health: measured, misses: true },
  { name: "never reported: not penalised", preferences: { maximumLatency: 0.001, minimumThroughput: 1_000 }, health: undefined, misses: false },
  { name: "reported without figures: not penalised", preferences: { maximumLatency: 0.001, minimumThroughput: 1_000 }, health: unmeasured, misses: false },
  { name: "medians only: the p50 is judged by the median", preferences: { maximumLatency: 0.3 }, health: mediansOnly, misses: true },
  { name: "medians only: other percentiles are unmeasured", preferences: { maximumLatency: { p99: 0.001 }, minimumThroughput: { p90: 1_000 } }, health: mediansOnly, misses: false },
];

describe("createPerformanceMissCheck", () => {
  it.each(table)("$name", ({ preferences, health, misses }) => {
    expect(createPerformanceMissCheck(preferences)?.(health)).toBe(misses);
  });

  it("is undefined without a preference, or with an empty percentile object", () => {
    expect(createPerformanceMissCheck({})).toBeUndefined();
    expect(createPerformanceMissCheck({ maximumLatency: {}, minimumThroughput: undefined })).toBeUndefined();
  });
});
