import type { TelemetryComparisonReport } from "./telemetry-comparison-report.js";

const percent = (ratio: number) => `${ratio >= 0 ? "+" : ""}${(ratio * 100).toFixed(1)} %`;

/**
 * The table of `BENCH_TELEMETRY=compare`: per concurrency, each stack's CPU per request (total and per
 * process) and latency through Switchboard, the growth against issue 12's limits, and the growth of each
 * round and of each pair of rounds. Of `BENCH_TELEMETRY=control` the same, its stacks named A and B.
 */
export function formatTelemetryComparison(report: TelemetryComparisonReport): string {
  const [first, second] = report.control ? ["A", "B"] : ["off", "on"];
  const setting = `two stacks at once on CPUs ${report.options.stackCpus ?? "(not pinned)"}, taking turns, ${report.options.rounds} rounds of about ${report.options.sliceSeconds} s each per concurrency`;
  const lines = [
    report.control
      ? `Control: telemetry off on both stacks (A and B), ${setting}; any difference is the measurement's own`
      : `Telemetry off against on: ${setting}`,
  ];
  for (const compared of report.concurrencies) {
    lines.push("", `Concurrency ${compared.concurrency}, ${compared.requestsPerSlice} requests per slice`);
    lines.push(`  ${"".padEnd(22)}${first.padStart(10)}${second.padStart(10)}  ${report.control ? "difference (nothing to find)" : "growth (issue 12 allows +15 % CPU, +0.1 ms p50)"}`);
    lines.push(`  ${"CPU ms/request".padEnd(22)}${compared.off.cpuMsPerRequest.toFixed(3).padStart(10)}${compared.on.cpuMsPerRequest.toFixed(3).padStart(10)}  ${percent(compared.cpuGrowth)}`);
    for (const process of compared.off.processes) {
      const on = compared.on.processes.find((figures) => figures.name === process.name)?.cpuMsPerRequest ?? Number.NaN;
      lines.push(`    ${process.name.padEnd(20)}${process.cpuMsPerRequest.toFixed(3).padStart(10)}${on.toFixed(3).padStart(10)}  ${(on - process.cpuMsPerRequest >= 0 ? "+" : "") + (on - process.cpuMsPerRequest).toFixed(3)} ms`);
    }
    for (const rank of ["p50", "p90", "p99"] as const) {
      const growth = compared.on.switchboardMs[rank] - compared.off.switchboardMs[rank];
      lines.push(`  ${`latency ${rank} ms`.padEnd(22)}${compared.off.switchboardMs[rank].toFixed(2).padStart(10)}${compared.on.switchboardMs[rank].toFixed(2).padStart(10)}  ${growth >= 0 ? "+" : ""}${growth.toFixed(2)} ms`);
    }
    lines.push(`  ${"requests (errors)".padEnd(22)}${`${compared.off.requests} (${compared.off.errors})`.padStart(10)}${`${compared.on.requests} (${compared.on.errors})`.padStart(10)}`);
    lines.push(`  CPU growth per round (leaning with its order): ${compared.cpuGrowthPerRound.map(percent).join(", ")}`);
    lines.push(`  CPU growth per pair of rounds: ${compared.cpuGrowthPerPairOfRounds.length === 0 ? "(fewer than two rounds)" : compared.cpuGrowthPerPairOfRounds.map(percent).join(", ")}`);
  }
  lines.push(
    "",
    report.control
      ? "Control: neither stack had telemetry; nothing was exported or scraped"
      : `Telemetry on: ${report.spansReceived} spans received (${report.spansPerRequest.toFixed(1)} per request), ${report.rejectedExports} exports rejected; scrapes succeeded/attempted: ${report.scrapes.map((scrape) => `${scrape.name} ${scrape.succeeded}/${scrape.attempted}`).join(", ")}`,
    `Audit: ${first} ${report.audit.off.answered} answered, ${report.audit.off.recorded} recorded, ${report.audit.off.charged} charged; ${second} ${report.audit.on.answered} answered, ${report.audit.on.recorded} recorded, ${report.audit.on.charged} charged${report.audit.matches ? "" : " — MISMATCH"}`,
  );
  return lines.join("\n");
}
