import type { SoakReport } from "./soak-report.js";

const mebibytes = (value: number) => value.toFixed(1).padStart(9);

/** The report as the table `npm run soak` prints. */
export function formatSoakReport(report: SoakReport): string {
  const { machine, options, traffic, audit } = report;
  const pinning = options.stackCpus === undefined && options.loadCpus === undefined ? "not pinned" : `stack on CPUs ${options.stackCpus ?? "any"}, load on CPUs ${options.loadCpus ?? "any"}`;
  const failures = Object.entries(traffic.failures).map(([failure, count]) => `${count} ${failure}`);
  const counted = options.durationSeconds - options.warmUpSeconds;
  return [
    `Switchboard soak, ${report.startedAt} (${report.durationSeconds.toFixed(0)} s), commit ${machine.commit}${machine.uncommittedChanges ? " + uncommitted changes" : ""}`,
    `${machine.cpuModel}, ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}; ${pinning}; services at LOG_LEVEL=${options.logLevel}`,
    "",
    `Traffic: ${traffic.requests} requests in ${options.durationSeconds} s (${traffic.requestsPerSecond.toFixed(1)}/s asked ${options.requestsPerSecond}/s), ${traffic.streamed} streamed (${options.streamChunks} chunks every ${options.streamIntervalMs} ms); ${traffic.answeredInFull} answered in full${failures.length > 0 ? `, ${failures.join(", ")}` : ""}`,
    "",
    `Memory, MiB, sampled every ${options.sampleSeconds} s; start = first sample after the ${options.warmUpSeconds} s warm-up; slope = least squares over the last ${(counted / 2).toFixed(0)} s`,
    `  ${"process".padEnd(20)}${"RSS start".padStart(10)}${"end".padStart(9)}${"max".padStart(9)}${"MiB/min".padStart(9)}${"anon start".padStart(11)}${"end".padStart(9)}${"MiB/min".padStart(9)}${"PSS MiB/min".padStart(12)}${"CPU ms/req".padStart(11)}  verdict (grows: slope > ${options.growthLimitMiBPerMinute} MiB/min)`,
    ...report.processes.map(
      (figures) =>
        `  ${figures.name.padEnd(20)}${figures.startRssMiB.toFixed(1).padStart(10)}${mebibytes(figures.endRssMiB)}${mebibytes(figures.maxRssMiB)}${figures.rssSlopeMiBPerMinute.toFixed(2).padStart(9)}${figures.startAnonymousMiB.toFixed(1).padStart(11)}${mebibytes(figures.endAnonymousMiB)}${figures.anonymousSlopeMiBPerMinute.toFixed(2).padStart(9)}${figures.pssSlopeMiBPerMinute.toFixed(2).padStart(12)}${figures.cpuMsPerRequest.toFixed(3).padStart(11)}  ${figures.verdict} (${figures.judgedBy.toUpperCase()})`,
    ),
    "  (postgres: the postmaster and all its backends, judged by PSS: each backend's RSS counts every shared buffer it touched, and backends come and go)",
    "",
    `Audit: ${audit.generationsRecorded} generations recorded, ${audit.generationsCharged} charged (${audit.missingCharges} missing, ${audit.chargedTwice} twice, ${audit.costMismatches} at another cost than shown); ${audit.pendingReservations} reservations pending, ${audit.reservedMicros} µ$ reserved; balance ${audit.balanceMicros} µ$, Σ ledger ${audit.ledgerMicros} µ$; settled ${audit.settledAfterMs} ms after the traffic: ${audit.exact ? "exact" : "NOT EXACT"}`,
  ].join("\n");
}
