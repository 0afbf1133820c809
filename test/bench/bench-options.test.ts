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

  it("refuses a BENCH_TELEMETRY that is neither on nor off, rather than guessing", () => {
    expect(() => readBenchOptions({ BENCH_TELEMETRY: "1" })).toThrow('BENCH_TELEMETRY: "1" is neither on nor off');
    expect(() => readBenchOptions({ BENCH_TELEMETRY: "yes" })).toThrow(/neither on nor off/);
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
