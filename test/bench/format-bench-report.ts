import type { BenchReport, ProcessFigures } from "./bench-report.js";
import { formatTelemetryFigures } from "./format-telemetry-figures.js";

const milliseconds = (value: number) => value.toFixed(2).padStart(9);
const count = (value: number) => String(value).padStart(9);

function processRow(figures: ProcessFigures): string {
  return `  ${figures.name.padEnd(22)}${count(figures.processes)}${figures.rssMiB.toFixed(1).padStart(9)}${figures.pssMiB.toFixed(1).padStart(9)}${figures.cpuMs.toFixed(0).padStart(9)}${figures.cpuMsPerRequest.toFixed(3).padStart(12)}`;
}

/** The report as the table `npm run bench` prints. */
export function formatBenchReport(report: BenchReport): string {
  const { machine, options } = report;
  const lines: string[] = [];
  const pinning = options.stackCpus === undefined && options.loadCpus === undefined ? "not pinned" : `stack on CPUs ${options.stackCpus ?? "any"}, load on CPUs ${options.loadCpus ?? "any"}`;
  lines.push(
    `Switchboard benchmark, ${report.startedAt} (${report.durationSeconds.toFixed(0)} s), commit ${machine.commit}${machine.uncommittedChanges ? " + uncommitted changes" : ""}`,
    `${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}; ${pinning}; services at LOG_LEVEL=${options.logLevel}; telemetry ${report.telemetry.enabled ? "on" : "off"}`,
    "",
    `Non-streaming latency, ms                 p50      p90      p99 requests   errors`,
  );
  for (const figures of report.latency) {
    lines.push(
      `  concurrency ${String(figures.concurrency).padEnd(4)} direct       ${milliseconds(figures.directMs.p50)}${milliseconds(figures.directMs.p90)}${milliseconds(figures.directMs.p99)}`,
      `                   Switchboard  ${milliseconds(figures.switchboardMs.p50)}${milliseconds(figures.switchboardMs.p90)}${milliseconds(figures.switchboardMs.p99)}${count(figures.requests)}${count(figures.errors)}`,
      `                   added        ${milliseconds(figures.addedMs.p50)}${milliseconds(figures.addedMs.p90)}${milliseconds(figures.addedMs.p99)}`,
      `                   stack CPU per request ${figures.stackCpuMsPerRequest.toFixed(3)} ms`,
    );
  }
  const saturation = report.saturation;
  lines.push(
    "",
    `Saturation, ${saturation.connections} connections: one account ${saturation.switchboardRequestsPerSecond.toFixed(0)} requests/s; ${saturation.manyAccounts.accounts} accounts ${saturation.manyAccounts.requestsPerSecond.toFixed(0)} requests/s (ratio ${saturation.manyToOneAccountRatio.toFixed(2)}); fake upstream alone ${saturation.upstreamRequestsPerSecond.toFixed(0)} requests/s`,
    `  one account ${saturation.switchboardRequests} requests, ${saturation.switchboardErrors} errors; ${saturation.manyAccounts.accounts} accounts ${saturation.manyAccounts.requests} requests, ${saturation.manyAccounts.errors} errors; fake upstream alone ${saturation.upstreamErrors} errors`,
    "",
    `Streaming time to first token, ms         p50      p99 requests   errors`,
  );
  for (const figures of report.firstToken) {
    lines.push(
      `  ${String(figures.streams).padStart(4)} streams     direct       ${milliseconds(figures.directMs.p50)}${milliseconds(figures.directMs.p99)}`,
      `                   Switchboard  ${milliseconds(figures.switchboardMs.p50)}${milliseconds(figures.switchboardMs.p99)}${count(figures.requests)}${count(figures.errors)}`,
      `                   added        ${milliseconds(figures.addedMs.p50)}${milliseconds(figures.addedMs.p99)}`,
    );
  }
  lines.push(
    "",
    `Concurrent streams (${options.streamChunks} chunks every ${options.streamIntervalMs} ms; a stall is a gap over ${options.streamIntervalMs + options.stallThresholdMs} ms)`,
    `  streams   stalls  stalled   failed  longest gap ms  first token p50 ms    p99 ms  seconds`,
  );
  for (const step of report.streamSteps) {
    lines.push(
      `  ${String(step.streams).padStart(7)}${count(step.stalls)}${count(step.streamsWithStalls)}${count(step.failed)}${step.longestGapMs.toFixed(1).padStart(16)}${step.firstTokenMs.p50.toFixed(2).padStart(20)}${step.firstTokenMs.p99.toFixed(2).padStart(10)}${step.seconds.toFixed(1).padStart(9)}`,
    );
  }
  lines.push(
    `  largest number of streams with 0 stalls and 0 failures: ${report.largestStallFreeStreams}`,
    "",
    `Processes over the one-account saturation run (${saturation.measuredSeconds.toFixed(1)} s, ${saturation.switchboardRequests} requests)`,
    `  ${"process".padEnd(22)}${"count".padStart(9)}${"RSS MiB".padStart(9)}${"PSS MiB".padStart(9)}${"CPU ms".padStart(9)}${"CPU ms/req".padStart(12)}`,
    ...report.processes.map(processRow),
    `  ${"total (stack)".padEnd(58)}${report.totalCpuMsPerRequest.toFixed(3).padStart(12)}`,
    ...report.loadSide.map(processRow),
    "",
    ...formatTelemetryFigures(report.telemetry),
    "",
    `Audit: Switchboard answered ${report.audit.switchboardSucceeded} requests 2xx and ${report.audit.switchboardFailed} otherwise; metadata-logging recorded ${report.audit.generationsRecorded} generations of its ${1 + saturation.manyAccounts.accounts} accounts, billing charged ${report.audit.generationsCharged}: ${report.audit.matches ? "every 2xx recorded and charged once" : "MISMATCH"}`,
  );
  return lines.join("\n");
}
