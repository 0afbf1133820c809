import { settlementAnomalyReasons, type SettlementAnomalyReason } from "@switchboard/contracts";

/**
 * How many settlement anomalies this billing process recorded since it started, by reason: the count the
 * issue asks to expose as a metric. There is no metrics endpoint yet (issue 12 adds /metrics); this is
 * what it will read, a monotonic counter per reason, like a Prometheus counter with a `reason` label.
 * Redeliveries of an anomaly already recorded are not counted, so the total matches new table rows.
 */
export class SettlementAnomalyCounter {
  private readonly counts = new Map<SettlementAnomalyReason, number>();

  increment(reason: SettlementAnomalyReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  /** Every reason with its count (zero included, so a scrape sees each series from the start). */
  snapshot(): Record<SettlementAnomalyReason, number> {
    const snapshot = {} as Record<SettlementAnomalyReason, number>;
    for (const reason of Object.values(settlementAnomalyReasons)) snapshot[reason] = this.counts.get(reason) ?? 0;
    return snapshot;
  }
}
