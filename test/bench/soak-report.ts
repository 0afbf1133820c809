import type { MachineDescription } from "./machine-description.js";
import type { MemorySample, MemoryTrend } from "./memory-trend.js";
import type { SoakOptions } from "./soak-options.js";

/** One process's memory over the soak: the trend of the counted samples, and every sample. */
export interface SoakProcessFigures extends MemoryTrend {
  name: string;
  /** CPU time between the first sample after the warm-up and the last, per request sent in between. */
  cpuMsPerRequest: number;
  samples: MemorySample[];
}

/** Everything one `npm run soak` measured, as printed and written to its JSON file. */
export interface SoakReport {
  startedAt: string;
  durationSeconds: number;
  machine: MachineDescription;
  options: SoakOptions;
  traffic: {
    /** Requests sent through Switchboard, streamed and not. */
    requests: number;
    streamed: number;
    /** Requests per second actually sent (fewer than asked when the in-flight bound held some back). */
    requestsPerSecond: number;
    /** Answered 200 with output and, for a stream, ended by `[DONE]` without an in-band error. */
    answeredInFull: number;
    /** Everything else, by what went wrong (e.g. `status 503`, `stream cut`), with counts. */
    failures: Record<string, number>;
  };
  /** The seven processes of the stack in report order, then the fake upstream. */
  processes: SoakProcessFigures[];
  /** What PostgreSQL holds for the soak's account once settlement caught up. */
  audit: {
    /** Rows in `generations` (metadata-logging). */
    generationsRecorded: number;
    /** Generations with a charge in the ledger (billing). */
    generationsCharged: number;
    missingCharges: number;
    chargedTwice: number;
    /** Generations charged another amount than the `usage.cost` their client was shown. */
    costMismatches: number;
    pendingReservations: number;
    reservedMicros: number;
    balanceMicros: number;
    /** Σ grants − Σ charges in the ledger; equal to the balance when the books are exact. */
    ledgerMicros: number;
    /** From the end of the traffic until every answered generation was charged and settled. */
    settledAfterMs: number;
    /** Every request answered in full, recorded and charged once at the cost shown, nothing pending, balance = Σ ledger. */
    exact: boolean;
  };
}
