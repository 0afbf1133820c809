import { describe, expect, it } from "vitest";
import { readBenchOptions } from "./bench-options.js";
import { formatBenchReport } from "./format-bench-report.js";
import { formatTelemetryComparison } from "./format-telemetry-comparison.js";
import { runBenchmark } from "./run-benchmark.js";
import { runTelemetryComparison } from "./run-telemetry-comparison.js";
import { writeBenchReport } from "./write-bench-report.js";

// `npm run bench` (issue 7): Switchboard as deployed, measured from outside. Options are environment
// variables, listed in test/bench/README.md, e.g. BENCH_STACK_CPUS=0 BENCH_LOAD_CPUS=1 npm run bench.
describe("Switchboard as deployed", () => {
  const options = readBenchOptions(process.env);
  const startedAt = performance.now();
  const progress = (line: string) => console.log(`bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s: ${line}`);

  // BENCH_TELEMETRY=compare: issue 12's cost of telemetry, two stacks taking turns (run-telemetry-comparison.ts).
  // BENCH_TELEMETRY=control: the same with telemetry off on both, what the comparison reads when there is nothing to find.
  it.runIf(options.telemetryComparison)("compares what telemetry costs per request: telemetry off against on, two stacks taking turns", async () => {
    const report = await runTelemetryComparison(options, progress);
    const file = await writeBenchReport(report, options.resultFile, options.telemetryControl ? "telemetry-control" : "telemetry-comparison");
    console.log(`\n${formatTelemetryComparison(report)}\n\n${JSON.stringify(report)}\n\nJSON written to ${file}\n`);
    expect(report.audit.matches, "every 2xx of each stack recorded by metadata-logging and charged by billing").toBe(true);
    if (options.telemetryControl) return;
    expect(report.spansReceived, "spans received by the collector").toBeGreaterThan(0);
    expect(report.rejectedExports, "trace exports the collector rejected").toBe(0);
    for (const scrape of report.scrapes) expect(scrape.succeeded, `successful scrapes of ${scrape.name}`).toBeGreaterThan(0);
  }, 1_800_000);

  it.skipIf(options.telemetryComparison)("prints what it adds per request, what it sustains, and what each process costs", async () => {
    const report = await runBenchmark(options, progress);
    const file = await writeBenchReport(report, options.resultFile);
    console.log(`\n${formatBenchReport(report)}\n\n${JSON.stringify(report)}\n\nJSON written to ${file}\n`);
    // A benchmark, not a test; but figures from requests that were not all served and recorded mean nothing.
    expect(report.audit.matches, "every 2xx recorded by metadata-logging and charged by billing").toBe(true);
    // Nor do figures "with telemetry" from a run whose services exported nothing or were never scraped.
    if (report.telemetry.enabled) {
      expect(report.telemetry.spansReceived, "spans received by the collector").toBeGreaterThan(0);
      expect(report.telemetry.rejectedExports, "trace exports the collector rejected").toBe(0);
      for (const scrape of report.telemetry.scrapes) expect(scrape.succeeded, `successful scrapes of ${scrape.name}`).toBeGreaterThan(0);
    }
  }, 600_000);
});
