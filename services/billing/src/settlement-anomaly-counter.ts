import { settlementAnomalyReasons, type SettlementAnomalyReason } from "@switchboard/contracts";
import { ledgerMetrics } from "@switchboard/telemetry";

/**
 * How many settlement anomalies this billing service recorded since it started, by reason. Each count
 * also goes to the process's `switchboard_settlement_anomalies_total{reason}` on /metrics (issue 12); the
 * counts here are this service instance's own, for tests. Redeliveries of an anomaly already recorded are
 * not counted, so the total matches new table rows.
 */
export class SettlementAnomalyCounter {
  private readonly counts = new Map<SettlementAnomalyReason, number>();

  constructor() {
    ledgerMetrics().showAnomalyReasons(Object.values(settlementAnomalyReasons));
  }

  increment(reason: SettlementAnomalyReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    ledgerMetrics().settlementAnomaly(reason);
  }

  /** Every reason with its count (zero included, so a scrape sees each series from the start). */
  snapshot(): Record<SettlementAnomalyReason, number> {
    const snapshot = {} as Record<SettlementAnomalyReason, number>;
    for (const reason of Object.values(settlementAnomalyReasons)) snapshot[reason] = this.counts.get(reason) ?? 0;
    return snapshot;
  }
}
