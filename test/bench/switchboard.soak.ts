import { describe, expect, it } from "vitest";
import { formatSoakReport } from "./format-soak-report.js";
import { runSoak } from "./run-soak.js";
import { readSoakOptions } from "./soak-options.js";
import { writeBenchReport } from "./write-bench-report.js";

// `npm run soak [-- --duration 10m]` (issue 7: "no growth over 10 minutes"): the stack as deployed under
// steady mixed traffic, every process's memory sampled. Options are environment variables, listed in
// test/bench/README.md; test/bench/soak-command.mjs turns the command's flags into them.
describe("Switchboard as deployed, under steady traffic", () => {
  it("prints every process's memory trend and checks that every request was answered, recorded and settled once", async () => {
    const options = readSoakOptions(process.env);
    const startedAt = performance.now();
    const progress = (line: string) => console.log(`soak ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s: ${line}`);
    const report = await runSoak(options, progress);
    const file = await writeBenchReport(report, options.resultFile, "soak");
    console.log(`\n${formatSoakReport(report)}\n\nJSON written to ${file}\n`);
    // A measurement, not a test of memory: a process that grows is reported, not failed. Figures from
    // requests that were not all answered and settled would mean nothing, so that fails.
    expect(report.traffic.failures, "requests not answered in full").toEqual({});
    expect(report.audit.exact, "every request recorded and settled exactly once, balance = Σ ledger").toBe(true);
  }, 3_600_000);
});
