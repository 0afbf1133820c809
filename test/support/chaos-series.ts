import { setTimeout as sleep } from "node:timers/promises";
import { defaultFactAckWaitMs } from "@switchboard/messaging";
import type { ServiceName } from "../../tools/launcher/src/service-environment.js";
import { findLedgerViolations } from "../integration/billing/billing-test-kit.js";
import { runChaos, type ChaosRunResult } from "./chaos-run.js";
import { chaosTimings, startChaosStack } from "./chaos-stack.js";
import { findOrphanedHolds } from "./find-orphaned-holds.js";

export interface ChaosSeriesOptions {
  /** Killed one after the other, each during its own run of `requestsPerKill` requests. */
  services: readonly ServiceName[];
  requestsPerKill: number;
  requestsPerSecond: number;
  concurrency: number;
  progress?: (line: string) => void;
}

/** One row per kill, with its orphaned holds; the violations of all of them. */
export interface ChaosSeriesReport {
  runs: (ChaosRunResult & { orphanedReservations: number; orphanedLeases: number })[];
  /** Ledger-wide: balance = Σ ledger entries, reserved and leased match their holds, double entry, never negative. */
  ledgerViolations: string[];
  violations: string[];
}

/**
 * Issue 10's chaos acceptance: each service in turn killed with SIGKILL under load and started again
 * (`runChaos`), then — once every hold taken during the runs is past its TTL and one sweep — no
 * reservation or lease may still hold credit, and the ledger must add up. The logs are kept on failure.
 */
export async function runChaosSeries(options: ChaosSeriesOptions): Promise<ChaosSeriesReport> {
  const progress = options.progress ?? (() => undefined);
  const chaos = await startChaosStack();
  let failed = true;
  try {
    const runs: ChaosRunResult[] = [];
    for (const service of options.services) {
      progress(`${service}: ${options.requestsPerKill} requests at ${options.requestsPerSecond}/s, kill after 30 %`);
      const run = await runChaos({
        chaos,
        service,
        requests: options.requestsPerKill,
        requestsPerSecond: options.requestsPerSecond,
        concurrency: options.concurrency,
        killAfterFraction: 0.3,
        downMs: 1_000,
        requestTimeoutMs: 30_000,
        settleTimeoutMs: 30_000,
        // A killed billing's facts and reports in hand come back after the ack wait; a report then waits its
        // grace and the settler's next pass (a quarter of the grace): 15 s more is the margin for a busy machine.
        lateFactsSettleWithinMs: defaultFactAckWaitMs + chaosTimings.usageReportGraceSeconds * 1_250 + 15_000,
        progress,
      });
      progress(`${service}: ${run.answered} answered, ${run.refused} refused, ${run.charged} charged (all within ${run.settledAfterMs} ms of the traffic's end), ${run.violations.length} violations; refusals ${JSON.stringify(run.refusals)}; after recovery ${JSON.stringify(run.afterRecovery)}`);
      runs.push(run);
    }
    const holdsExpireAt = performance.now() + (Math.max(chaosTimings.reservationTtlSeconds, chaosTimings.creditLeaseTtlSeconds) + 2 * chaosTimings.sweepIntervalSeconds) * 1_000;
    progress(`waiting ${Math.round((holdsExpireAt - performance.now()) / 1000)} s for every hold of the runs to pass its TTL and one sweep`);
    await sleep(Math.max(holdsExpireAt - performance.now(), 0));
    const orphaned = await findOrphanedHolds(chaos.database.database, chaosTimings.sweepIntervalSeconds);
    const ledgerViolations = await findLedgerViolations(chaos.database.database);
    const report: ChaosSeriesReport = {
      runs: runs.map((run) => ({ ...run, orphanedReservations: orphaned.reservations.get(run.accountId) ?? 0, orphanedLeases: orphaned.leases.get(run.accountId) ?? 0 })),
      ledgerViolations,
      violations: [],
    };
    for (const run of report.runs) {
      for (const violation of run.violations) report.violations.push(`${run.service} killed: ${violation}`);
      if (run.orphanedReservations > 0) report.violations.push(`${run.service} killed: ${run.orphanedReservations} reservations pending past their expiry + one sweep`);
      if (run.orphanedLeases > 0) report.violations.push(`${run.service} killed: ${run.orphanedLeases} credit leases holding credit past their expiry + one sweep`);
    }
    report.violations.push(...ledgerViolations);
    if ((await chaos.stack.exitedServices()).length > 0) report.violations.push(`services exited: ${(await chaos.stack.exitedServices()).join("; ")}`);
    failed = report.violations.length > 0;
    if (failed) progress(`logs kept in ${chaos.logDirectory}`);
    return report;
  } finally {
    await chaos.close(failed);
  }
}
