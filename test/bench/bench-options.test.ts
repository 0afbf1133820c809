import { describe, expect, it } from "vitest";
import { readBenchOptions } from "./bench-options.js";

describe("readBenchOptions", () => {
  it("leaves telemetry off unless BENCH_TELEMETRY is on (issue 12: the default run is unchanged)", () => {
    expect(readBenchOptions({}).telemetry).toBe(false);
    expect(readBenchOptions({ BENCH_TELEMETRY: "" }).telemetry).toBe(false);
    expect(readBenchOptions({ BENCH_TELEMETRY: "off" }).telemetry).toBe(false);
    expect(readBenchOptions({ BENCH_TELEMETRY: "on" }).telemetry).toBe(true);
    expect(readBenchOptions({ BENCH_TELEMETRY: " ON " }).telemetry).toBe(true);
  });

  it("refuses a BENCH_TELEMETRY that is none of off, on and compare, rather than guessing", () => {
    expect(() => readBenchOptions({ BENCH_TELEMETRY: "1" })).toThrow('BENCH_TELEMETRY: "1" is none of off, on, compare');
    expect(() => readBenchOptions({ BENCH_TELEMETRY: "yes" })).toThrow(/none of off, on, compare, control/);
  });

  it("compares two stacks, telemetry off and on, with BENCH_TELEMETRY=compare: 10 rounds of 2 s slices at concurrencies 1 and 20 unless told", () => {
    expect(readBenchOptions({}).telemetryComparison).toBe(false);
    expect(readBenchOptions({ BENCH_TELEMETRY: "on" }).telemetryComparison).toBe(false);
    expect(readBenchOptions({ BENCH_TELEMETRY: "compare" })).toMatchObject({ telemetry: false, telemetryComparison: true, telemetryControl: false, compareRounds: 10, compareConcurrencies: [1, 20], compareSliceSeconds: 2 });
    expect(readBenchOptions({ BENCH_TELEMETRY: "Compare", BENCH_COMPARE_ROUNDS: "2", BENCH_COMPARE_CONCURRENCIES: "5", BENCH_COMPARE_SLICE_SECONDS: "0.5" })).toMatchObject({
      telemetryComparison: true,
      compareRounds: 2,
      compareConcurrencies: [5],
      compareSliceSeconds: 0.5,
    });
    expect(() => readBenchOptions({ BENCH_COMPARE_ROUNDS: "0" })).toThrow("BENCH_COMPARE_ROUNDS: must be more than 0");
    expect(() => readBenchOptions({ BENCH_COMPARE_ROUNDS: "1.5" })).toThrow("BENCH_COMPARE_ROUNDS: \"1.5\" is not a whole number");
  });

  it("runs the comparison as its own control with BENCH_TELEMETRY=control: the same rounds and slices, telemetry off on both stacks", () => {
    expect(readBenchOptions({ BENCH_TELEMETRY: "compare" }).telemetryControl).toBe(false);
    expect(readBenchOptions({ BENCH_TELEMETRY: "on" }).telemetryControl).toBe(false);
    expect(readBenchOptions({ BENCH_TELEMETRY: "control", BENCH_COMPARE_ROUNDS: "30" })).toMatchObject({ telemetry: false, telemetryComparison: true, telemetryControl: true, compareRounds: 30 });
  });

  it("scrapes every 15 s, as deploy/otel/prometheus.yaml does, unless BENCH_SCRAPE_SECONDS says otherwise", () => {
    expect(readBenchOptions({}).scrapeSeconds).toBe(15);
    expect(readBenchOptions({ BENCH_SCRAPE_SECONDS: "1" }).scrapeSeconds).toBe(1);
    expect(readBenchOptions({ BENCH_SCRAPE_SECONDS: "0.5" }).scrapeSeconds).toBe(0.5);
    expect(() => readBenchOptions({ BENCH_SCRAPE_SECONDS: "0" })).toThrow("BENCH_SCRAPE_SECONDS: must be more than 0");
    expect(() => readBenchOptions({ BENCH_SCRAPE_SECONDS: "soon" })).toThrow(/not a non-negative number/);
  });

  it("reads the other settings as before", () => {
    const options = readBenchOptions({ BENCH_STACK_CPUS: "0", BENCH_LOAD_CPUS: "1", BENCH_STREAM_STEPS: "10", BENCH_LATENCY_SECONDS: "2" });
    expect(options).toMatchObject({ stackCpus: "0", loadCpus: "1", streamSteps: [10], latencySeconds: 2, saturationSeconds: 10, logLevel: "info", telemetry: false });
  });
});
