import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readBenchOptions } from "../bench/bench-options.js";
import type { BenchReport } from "../bench/bench-report.js";
import { formatBenchReport } from "../bench/format-bench-report.js";
import { formatTelemetryComparison } from "../bench/format-telemetry-comparison.js";
import { runBenchmark } from "../bench/run-benchmark.js";
import { runTelemetryComparison } from "../bench/run-telemetry-comparison.js";
import { writeBenchReport } from "../bench/write-bench-report.js";

// Issue 7: `npm run bench` must not rot. The same benchmark with tiny durations and small stream steps:
// every figure is there and is a number, every process is measured, and nothing failed.

const stackProcesses = ["ingress", "router", "provider-connector", "billing", "metadata-logging", "nats-server", "postgres"];

/** Paths of every number in the report that is not finite, e.g. `latency.0.addedMs.p99`. */
function nonFiniteNumbers(value: unknown, at = ""): string[] {
  if (typeof value === "number") return Number.isFinite(value) ? [] : [at];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => nonFiniteNumbers(child, at === "" ? key : `${at}.${key}`));
}

/** The smallest run that still has every phase. */
const tinyRun = {
  BENCH_WARM_UP_SECONDS: "0.2",
  BENCH_LATENCY_SECONDS: "0.3",
  BENCH_LATENCY_CONCURRENCIES: "1,5",
  BENCH_SATURATION_SECONDS: "0.3",
  BENCH_SATURATION_CONNECTIONS: "10",
  BENCH_SATURATION_ACCOUNTS: "5",
  BENCH_FIRST_TOKEN_SECONDS: "0.3",
  BENCH_FIRST_TOKEN_CONCURRENCIES: "1,3",
  BENCH_STREAM_STEPS: "5,20",
  BENCH_STREAM_CHUNKS: "5",
  BENCH_STREAM_INTERVAL_MS: "50",
};

describe("npm run bench, in small", () => {
  let directory = "";

  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("measures Switchboard as deployed and reports every figure as a table and as JSON", async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-bench-smoke-"));
    const options = readBenchOptions(tinyRun);
    const report = await runBenchmark(options);
    const file = await writeBenchReport(report, path.join(directory, "report.json"));
    const table = formatBenchReport(report);

    const written = JSON.parse(await readFile(file, "utf8")) as BenchReport;
    expect(written).toEqual(JSON.parse(JSON.stringify(report)));
    expect(nonFiniteNumbers(written), "figures that are not numbers").toEqual([]);
    expect(table).not.toMatch(/NaN|Infinity|undefined/);

    expect(written.latency.map((figures) => figures.concurrency)).toEqual([1, 5]);
    for (const figures of written.latency) expect(figures.stackCpuMsPerRequest, `stack CPU per request at concurrency ${figures.concurrency}`).toBeGreaterThan(0);
    expect(table).toMatch(/stack CPU per request \d+\.\d{3} ms/);
    expect(written.firstToken.map((figures) => figures.streams)).toEqual([1, 3]);
    expect(written.streamSteps.map((step) => step.streams)).toEqual([5, 20]);
    expect(written.processes.map((figures) => figures.name)).toEqual(stackProcesses);
    for (const name of stackProcesses) expect(table).toContain(name);
    expect(written.processes.find((figures) => figures.name === "postgres")?.processes, "postgres processes counted").toBeGreaterThan(1);
    for (const figures of written.processes) expect(figures.rssMiB, `RSS of ${figures.name}`).toBeGreaterThan(0);
    expect(written.totalCpuMsPerRequest).toBeGreaterThan(0);
    expect(written.saturation.switchboardRequestsPerSecond).toBeGreaterThan(0);
    expect(written.saturation.upstreamRequestsPerSecond).toBeGreaterThan(0);
    expect(written.saturation.manyAccounts.accounts, "accounts of the spread saturation run").toBe(5);
    expect(written.saturation.manyAccounts.requestsPerSecond).toBeGreaterThan(0);
    expect(written.saturation.manyToOneAccountRatio).toBeCloseTo(written.saturation.manyAccounts.requestsPerSecond / written.saturation.switchboardRequestsPerSecond, 9);
    expect(table).toMatch(/Saturation, 10 connections: one account \d+ requests\/s; 5 accounts \d+ requests\/s \(ratio \d+\.\d\d\)/);

    expect(written.latency.map((figures) => figures.errors), "errors of the latency runs").toEqual([0, 0]);
    expect(written.saturation.switchboardErrors, "errors at saturation").toBe(0);
    expect(written.saturation.manyAccounts.errors, "errors at saturation spread over accounts").toBe(0);
    expect(written.saturation.upstreamErrors, "errors of the upstream alone").toBe(0);
    expect(written.firstToken.map((figures) => figures.errors), "failed streams of the first-token runs").toEqual([0, 0]);
    expect(written.streamSteps.map((step) => step.failed), "failed streams per step").toEqual([0, 0]);
    expect(written.audit.switchboardFailed, "requests Switchboard did not answer 2xx").toBe(0);
    expect(written.audit, "every 2xx recorded by metadata-logging and charged by billing").toMatchObject({
      generationsRecorded: written.audit.switchboardSucceeded,
      generationsCharged: written.audit.switchboardSucceeded,
      matches: true,
    });
    // Telemetry is off unless asked for (issue 12), and the table says so.
    expect(written.telemetry).toEqual({ enabled: false, protocol: "none", spansReceived: 0, traceExports: 0, traceExportBytes: 0, rejectedExports: 0, scrapeIntervalMs: 0, scrapes: [] });
    expect(written.loadSide.map((figures) => figures.name)).toEqual(["fake upstream", "load generator"]);
    expect(table).toContain("Telemetry: off");
  }, 60_000);

  it("with BENCH_TELEMETRY=on, exports every service's traces to the run's collector and scrapes every /metrics (issue 12)", async () => {
    const report = await runBenchmark(readBenchOptions({ ...tinyRun, BENCH_LATENCY_CONCURRENCIES: "1", BENCH_FIRST_TOKEN_CONCURRENCIES: "1", BENCH_STREAM_STEPS: "5", BENCH_TELEMETRY: "on", BENCH_SCRAPE_SECONDS: "1" }));
    const table = formatBenchReport(report);

    expect(report.audit.matches, "every 2xx recorded and charged").toBe(true);
    expect(report.telemetry).toMatchObject({ enabled: true, protocol: "http/protobuf", rejectedExports: 0, scrapeIntervalMs: 1_000 });
    expect(report.telemetry.spansReceived, "spans received by the collector").toBeGreaterThan(0);
    expect(report.telemetry.traceExports).toBeGreaterThan(0);
    expect(report.telemetry.scrapes.map((scrape) => scrape.name)).toEqual(["ingress", "router", "provider-connector", "billing", "metadata-logging"]);
    for (const scrape of report.telemetry.scrapes) expect(scrape.succeeded, `successful scrapes of ${scrape.name}`).toBeGreaterThan(0);
    // Its CPU is shown on the load side, not charged to the stack.
    expect(report.processes.map((figures) => figures.name)).toEqual(stackProcesses);
    expect(report.loadSide.map((figures) => figures.name)).toEqual(["fake upstream", "span collector", "load generator"]);
    expect(table).toMatch(/Telemetry: on; traces exported as OTLP http\/protobuf/);
    expect(table).toMatch(/spans received [1-9]\d* in [1-9]\d* exports/);
    expect(table).not.toContain("WARNING");
  }, 60_000);

  it("with BENCH_TELEMETRY=compare, loads a stack with telemetry off and one with it on in turns and reports the growth (issue 12)", async () => {
    // Spans exported within 0.5 s rather than 5 s, so the wait for the last batch after each concurrency is short.
    process.env["OTEL_BSP_SCHEDULE_DELAY"] = "500";
    const report = await runTelemetryComparison(
      readBenchOptions({ BENCH_TELEMETRY: "compare", BENCH_COMPARE_ROUNDS: "2", BENCH_COMPARE_CONCURRENCIES: "1,3", BENCH_COMPARE_SLICE_SECONDS: "0.2", BENCH_SCRAPE_SECONDS: "0.5" }),
    ).finally(() => delete process.env["OTEL_BSP_SCHEDULE_DELAY"]);
    const table = formatTelemetryComparison(report);

    expect(nonFiniteNumbers(JSON.parse(JSON.stringify(report))), "figures that are not numbers").toEqual([]);
    expect(table).not.toMatch(/NaN|Infinity|undefined|MISMATCH/);
    expect(report.concurrencies.map((compared) => compared.concurrency)).toEqual([1, 3]);
    for (const compared of report.concurrencies) {
      for (const side of [compared.off, compared.on]) {
        expect(side.requests, "2 rounds of one slice each").toBe(2 * compared.requestsPerSlice);
        expect(side.errors).toBe(0);
        expect(side.processes.map((figures) => figures.name)).toEqual(stackProcesses);
        expect(side.cpuMsPerRequest).toBeGreaterThan(0);
      }
      expect(compared.cpuGrowth).toBeCloseTo(compared.on.cpuMsPerRequest / compared.off.cpuMsPerRequest - 1, 9);
      expect(compared.p50GrowthMs).toBeCloseTo(compared.on.switchboardMs.p50 - compared.off.switchboardMs.p50, 9);
      expect(compared.cpuGrowthPerRound).toHaveLength(2);
      expect(compared.cpuGrowthPerPairOfRounds).toHaveLength(1);
    }
    expect(report.spansReceived, "spans from the stack with telemetry on").toBeGreaterThan(0);
    expect(report.rejectedExports).toBe(0);
    for (const scrape of report.scrapes) expect(scrape.succeeded, `successful scrapes of ${scrape.name}`).toBeGreaterThan(0);
    expect(report.audit.matches, "every 2xx of each stack recorded and charged").toBe(true);
    expect(report.audit.off.answered).toBeGreaterThan(0);
    expect(table).toMatch(/Concurrency 3, \d+ requests per slice/);
    expect(table).toMatch(/CPU ms\/request\s+\d+\.\d{3}\s+\d+\.\d{3}\s+[+-]\d+\.\d %/);
  }, 120_000);

  it("with BENCH_TELEMETRY=control, compares two stacks that both have telemetry off: no collector, no scrape, the same table", async () => {
    const report = await runTelemetryComparison(readBenchOptions({ BENCH_TELEMETRY: "control", BENCH_COMPARE_ROUNDS: "2", BENCH_COMPARE_CONCURRENCIES: "2", BENCH_COMPARE_SLICE_SECONDS: "0.2" }));
    const table = formatTelemetryComparison(report);

    expect(report.control).toBe(true);
    expect(nonFiniteNumbers(JSON.parse(JSON.stringify(report))), "figures that are not numbers").toEqual([]);
    expect(report.spansReceived).toBe(0);
    expect(report.scrapes).toEqual([]);
    const [compared] = report.concurrencies;
    expect(compared?.concurrency).toBe(2);
    for (const side of [compared?.off, compared?.on]) {
      expect(side?.requests, "2 rounds of one slice each").toBe(2 * (compared?.requestsPerSlice ?? Number.NaN));
      expect(side?.errors).toBe(0);
      expect(side?.processes.map((figures) => figures.name)).toEqual(stackProcesses);
    }
    expect(compared?.cpuGrowthPerPairOfRounds).toHaveLength(1);
    expect(report.audit.matches, "every 2xx of each stack recorded and charged").toBe(true);
    expect(table).toMatch(/^Control: telemetry off on both stacks \(A and B\)/);
    expect(table).toMatch(/CPU ms\/request\s+\d+\.\d{3}\s+\d+\.\d{3}\s+[+-]\d+\.\d %/);
    expect(table).toMatch(/CPU growth per pair of rounds: [+-]\d+\.\d %/);
    expect(table).toContain("Control: neither stack had telemetry; nothing was exported or scraped");
    expect(table).not.toMatch(/NaN|Infinity|undefined|MISMATCH|spans received/);
  }, 120_000);
});
