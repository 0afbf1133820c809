import { setTimeout as sleep } from "node:timers/promises";
import { auditLedger } from "../support/ledger-audit.js";
import { startSteadyTraffic, type TrafficRecord } from "../support/steady-traffic.js";
import { benchModel } from "./bench-stack.js";
import { startMemorySampler } from "./memory-sampler.js";
import { memoryTrend, type MemorySample } from "./memory-trend.js";
import { runOnBenchStack, type BenchStackRun } from "./run-on-bench-stack.js";
import type { SoakOptions } from "./soak-options.js";
import type { SoakReport } from "./soak-report.js";

/** What went wrong with one request, or undefined when it was answered in full. */
function failureOf(record: TrafficRecord): string | undefined {
  if (record.failure !== undefined && record.status === undefined) return `no answer (${record.failure.split(":")[0]})`;
  if (record.status !== 200) return `status ${String(record.status)}`;
  if (record.kind === "stream") {
    if (record.errorChunk !== undefined) return `stream error ${record.errorChunk.code}`;
    if (record.streamEnd !== "done") return "stream cut";
  }
  if (!record.producedOutput) return "no output";
  return undefined;
}

/** CPU milliseconds per request sent between the first sample after the warm-up and the last sample. */
function cpuPerRequest(samples: readonly MemorySample[], records: readonly TrafficRecord[], trafficStartedAt: number, warmUpSeconds: number): number {
  const first = samples.find((sample) => sample.atSeconds >= warmUpSeconds);
  const last = samples.at(-1);
  if (first === undefined || last === undefined) return 0;
  const from = trafficStartedAt + first.atSeconds * 1000;
  const until = trafficStartedAt + last.atSeconds * 1000;
  const requests = records.filter((record) => record.startedAt >= from && record.startedAt < until).length;
  return (last.cpuMs - first.cpuMs) / Math.max(requests, 1);
}

/**
 * Runs the soak: starts the stack as deployed (the benchmark's), drives steady mixed traffic for the
 * duration while sampling every process's memory, then checks that every request was answered in full,
 * recorded and settled exactly once; stops everything it started and returns the report.
 */
export async function runSoak(options: SoakOptions, progress: (line: string) => void = () => undefined): Promise<SoakReport> {
  return runOnBenchStack(options, progress, (run) => soak(run, options, progress));
}

async function soak({ stack, accountId, key, counter, startedAt, machine }: BenchStackRun, options: SoakOptions, progress: (line: string) => void): Promise<SoakReport> {
  const processes = [...stack.stackProcesses, stack.upstreamProcess];
  const streamContent = `chunks=${options.streamChunks} interval=${options.streamIntervalMs}`;
  const trafficStartedAt = performance.now();
  const traffic = startSteadyTraffic({
    origin: stack.origin,
    apiKey: key,
    model: benchModel,
    requestsPerSecond: options.requestsPerSecond,
    // Room for ten seconds of requests: far more than a healthy stack holds, and still a bound if it hangs.
    maximumInFlight: Math.max(50, options.requestsPerSecond * 10),
    requestTimeoutMs: 60_000,
    content: (kind) => (kind === "stream" ? streamContent : "soak me"),
  });
  const sampler = startMemorySampler(processes, { intervalSeconds: options.sampleSeconds, startedAt: trafficStartedAt });
  const elapsedSeconds = () => (performance.now() - trafficStartedAt) / 1000;
  try {
    progress(`steady traffic at ${options.requestsPerSecond} requests/s for ${options.durationSeconds} s (the first ${options.warmUpSeconds} s not counted)`);
    let nextProgressAt = 60;
    while (elapsedSeconds() < options.durationSeconds) {
      await sleep(Math.min(1_000, (options.durationSeconds - elapsedSeconds()) * 1000));
      const exited = stack.exitedProcesses();
      if (exited.length > 0) throw new Error(`processes exited during the soak:\n${exited.join("\n")}`);
      if (elapsedSeconds() >= nextProgressAt) {
        nextProgressAt += 60;
        const latest = [...sampler.samples.entries()].map(([name, samples]) => `${name} ${samples.at(-1)?.rssMiB.toFixed(0) ?? "?"}`);
        progress(`${traffic.records.length} requests sent, ${traffic.inFlight().length} in flight; RSS MiB: ${latest.join(", ")}`);
      }
    }
  } finally {
    await traffic.stop();
    await sampler.stop();
  }
  const sentSeconds = elapsedSeconds();

  progress("checking that every request was answered in full, recorded and settled once");
  const failures: Record<string, number> = {};
  let answeredInFull = 0;
  for (const record of traffic.records) {
    const failure = failureOf(record);
    if (failure === undefined) answeredInFull += 1;
    else failures[failure] = (failures[failure] ?? 0) + 1;
  }
  const answered = traffic.records.filter((record) => record.status === 200).length;
  const ledger = await auditLedger({ databaseUrl: stack.databaseUrl, accountId, records: traffic.records, settleTimeoutMs: 60_000 });
  const recorded = await counter.waitFor(answered, 30_000);
  const ledgerMicros = ledger.grantsMicros - ledger.chargesMicros;
  const audit: SoakReport["audit"] = {
    generationsRecorded: recorded.recorded,
    generationsCharged: ledger.charges,
    missingCharges: ledger.missingCharge.length,
    chargedTwice: ledger.chargedTwice.length,
    costMismatches: ledger.costMismatch.length,
    pendingReservations: ledger.pendingReservations,
    reservedMicros: ledger.reservedMicros,
    balanceMicros: ledger.balanceMicros,
    ledgerMicros,
    settledAfterMs: ledger.settledAfterMs,
    exact:
      answeredInFull === traffic.records.length &&
      recorded.recorded === answeredInFull &&
      ledger.charges === answeredInFull &&
      ledger.missingCharge.length === 0 &&
      ledger.chargedTwice.length === 0 &&
      ledger.costMismatch.length === 0 &&
      ledger.pendingReservations === 0 &&
      ledger.reservedMicros === 0 &&
      ledger.balanceMicros === ledgerMicros,
  };

  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine,
    options,
    traffic: {
      requests: traffic.records.length,
      streamed: traffic.records.filter((record) => record.kind === "stream").length,
      requestsPerSecond: traffic.records.length / sentSeconds,
      answeredInFull,
      failures,
    },
    processes: processes.map(({ name }) => {
      const samples = [...(sampler.samples.get(name) ?? [])];
      const trend = memoryTrend(samples, { ...options, judgedBy: name === "postgres" ? "pss" : "rss" });
      return { name, ...trend, cpuMsPerRequest: cpuPerRequest(samples, traffic.records, trafficStartedAt, options.warmUpSeconds), samples };
    }),
    audit,
  };
}
