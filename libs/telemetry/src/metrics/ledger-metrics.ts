import { Counter, Gauge } from "prom-client";
import { metricNames } from "./metric-names.js";
import { processMetricsRegistry } from "./process-metrics-registry.js";
import { sampleWithin } from "./sample-within.js";

/** How long a scrape waits for the open-reservation count before it answers with the last one. */
const sampleTimeoutMs = 1_000;

/**
 * Billing's ledger series: reservations open (a gauge counted in the database when scraped, so it is
 * right across replicas and restarts), reservations the sweeper expired, and settlement anomalies by reason.
 */
export class LedgerMetrics {
  private readonly expired: Counter;
  private readonly anomalies: Counter<"reason">;
  private openReservations: (() => Promise<number>) | undefined;

  constructor() {
    const registers = [processMetricsRegistry()];
    const open: Gauge = new Gauge({
      name: metricNames.ledgerReservationsOpen,
      help: "Reservations holding credit in the ledger (pending), counted in the database when scraped.",
      registers,
      collect: async () => {
        const sample = this.openReservations;
        if (sample === undefined) return;
        const count = await sampleWithin(sample, sampleTimeoutMs);
        if (count !== undefined) open.set(count);
      },
    });
    this.expired = new Counter({ name: metricNames.ledgerReservationsExpired, help: "Reservations the expiry sweeper released: their generation never reported.", registers });
    this.anomalies = new Counter({
      name: metricNames.settlementAnomalies,
      help: "Settlement anomalies billing recorded, by reason (new rows of settlement_anomalies; redeliveries are not counted).",
      labelNames: ["reason"] as const,
      registers,
    });
  }

  /**
   * Counts open reservations with `count` at each scrape, until the returned function is called. One
   * billing per process: a later call replaces an earlier one.
   */
  sampleOpenReservations(count: () => Promise<number>): () => void {
    this.openReservations = count;
    return () => {
      if (this.openReservations === count) this.openReservations = undefined;
    };
  }

  reservationsExpired(count: number): void {
    if (count > 0) this.expired.inc(count);
  }

  /** Shows each reason's series from the start, at zero, so a rate over it is defined before the first anomaly. */
  showAnomalyReasons(reasons: readonly string[]): void {
    for (const reason of reasons) this.anomalies.labels(reason).inc(0);
  }

  settlementAnomaly(reason: string): void {
    this.anomalies.labels(reason).inc();
  }
}

let instance: LedgerMetrics | undefined;

/** This process's ledger metrics, registered on first use. */
export function ledgerMetrics(): LedgerMetrics {
  instance ??= new LedgerMetrics();
  return instance;
}
