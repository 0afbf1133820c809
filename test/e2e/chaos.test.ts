import { describe, expect, it } from "vitest";
import { runChaosSeries } from "../support/chaos-series.js";
import { formatChaosReport } from "../support/format-chaos-report.js";

// Issue 10 acceptance, short version (`npm run chaos` runs 2,000 requests per kill): "kill -9 of billing,
// then of ingress, then of provider-connector, each while requests run: after restart every generation
// that produced output is charged exactly once and recorded once, and no reservation or lease outlives
// its expiry + one sweep." Services run as processes, as deployed, with short TTLs (chaos-stack.ts).

// A failure prints, for each generation left uncharged, its reservation, lease, usage report, anomalies and
// log lines, and billing's consumers (describe-uncharged-generation.ts), so it can be followed from CI. It
// usually takes under two minutes; the limit leaves room for a billing whose facts in hand come back only
// after the consumers' ack wait, so that a failure still prints its report instead of timing out.
describe("billing, ingress and provider-connector killed with SIGKILL under load", () => {
  it("charges and records every generation with output once, refuses cleanly while down, and leaves no hold behind", async () => {
    const startedAt = performance.now();
    const report = await runChaosSeries({
      services: ["billing", "ingress", "provider-connector"],
      requestsPerKill: 200,
      requestsPerSecond: 40,
      concurrency: 50,
      progress: (line) => console.log(`chaos ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)} s: ${line}`),
    });
    console.log(`\n${formatChaosReport(report)}\n`);
    for (const run of report.runs) expect(run.withOutput, `${run.service}: generations with output`).toBeGreaterThan(run.requests / 4);
    expect(report.violations, report.runs.flatMap((run) => run.diagnoses).join("\n")).toEqual([]);
  }, 240_000);
});
