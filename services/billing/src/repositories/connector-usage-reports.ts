import { computeCostMicros, connectorUsageReportSchema, reportCompletionFact, type ConnectorUsageReport } from "@switchboard/contracts";
import { sql } from "kysely";
import { inTransaction, type DatabaseExecutor } from "./database-executor.js";
import { settleGenerations, settleOutcomes, type SettleOutcome, type SettleResult } from "./settle-generations.js";

/**
 * Stores a batch of usage reports in one statement, one row per generation: its highest attempt's report
 * (a generation may try several endpoints; the last one with output is the answer). A report of a higher
 * attempt replaces a stored lower one while it is unresolved, and restarts its grace period; a
 * redelivery, or a lower attempt, changes nothing. A report whose generation is already settled at its
 * cost (ingress's completion fact came first) is not stored: it could only confirm. Returns how many rows
 * were written. Nothing is charged here: a report waits for its grace period, in which ingress's
 * completion fact normally settles the generation.
 */
export async function storeUsageReports(database: DatabaseExecutor, reports: readonly ConnectorUsageReport[]): Promise<number> {
  const highestOfEach = new Map<string, ConnectorUsageReport>();
  for (const report of reports) {
    const stored = highestOfEach.get(report.generationId);
    if (!stored || report.origin.attempt > stored.origin.attempt) highestOfEach.set(report.generationId, report);
  }
  if (highestOfEach.size === 0) return 0;
  const unique = [...highestOfEach.values()];
  const result = await sql`
    INSERT INTO connector_usage_reports (generation_id, attempt, account_id, key_id, lease_id, report, cost_micros)
    SELECT received.* FROM unnest(
      ${unique.map((report) => report.generationId)}::text[], ${unique.map((report) => report.origin.attempt)}::integer[],
      ${unique.map((report) => report.origin.accountId)}::text[], ${unique.map((report) => report.origin.keyId)}::text[],
      ${unique.map((report) => report.origin.lease?.leaseId ?? null)}::uuid[], ${unique.map((report) => JSON.stringify(report))}::jsonb[],
      ${unique.map((report) => computeCostMicros(report.usage, report.price))}::bigint[]
    ) AS received (generation_id, attempt, account_id, key_id, lease_id, report, cost_micros)
    -- Settled already at the same cost: nothing to charge and nothing to disagree with.
    WHERE NOT EXISTS (
      SELECT 1 FROM reservations reservation
      -- charged_micros is set exactly when the reservation was resolved (settled, voided, or charged after expiry).
      WHERE reservation.generation_id = received.generation_id AND reservation.charged_micros = received.cost_micros
    )
    ORDER BY received.generation_id
    ON CONFLICT (generation_id) DO UPDATE SET
      attempt = excluded.attempt, account_id = excluded.account_id, key_id = excluded.key_id, lease_id = excluded.lease_id,
      report = excluded.report, cost_micros = excluded.cost_micros, received_at = excluded.received_at
    WHERE excluded.attempt > connector_usage_reports.attempt AND connector_usage_reports.resolved_at IS NULL
  `.execute(database);
  return Number(result.numAffectedRows ?? 0n);
}

/** The outcome of a stored report that no longer parses: resolved without settling anything. */
export const unparsableReportOutcome = "unparsable";

/** What settling one due report did. */
export interface ReportSettlement {
  generationId: string;
  /**
   * `already-resolved` when a completion fact (or an earlier pass) had settled the generation;
   * `unparsable` when the stored report no longer passes its schema (nothing settled; logged by the caller).
   */
  outcome: SettleOutcome | typeof unparsableReportOutcome;
  costMicros: number;
  /** True when this pass inserted the charge. */
  charged: boolean;
  /** What ingress's completion fact charged, when that differs from the report's cost: a conflict, recorded. */
  conflictingCostMicros: number | null;
  /** Set when settlement recorded the report as an anomaly (it names nothing billing holds). */
  anomaly?: SettleResult["anomaly"];
}

/**
 * Settles the reports whose grace period is over (received at least `graceMs` before `now`), at most
 * `batchSize`, in one transaction; rows are locked SKIP LOCKED so billing replicas share the work.
 *
 * A report whose generation's reservation is already resolved (the usual case: ingress's fact came first)
 * only has its outcome recorded, and a conflict when the charge differs from the report's cost. Every
 * other report becomes the completion fact it stands for (`reportCompletionFact`) and goes through
 * `settleGenerations`, so a reservation or a lease hold is charged exactly once by generation id and the
 * rest of the hold is released; an ingress fact arriving later finds the generation resolved.
 */
export async function settleDueUsageReports(
  database: DatabaseExecutor,
  options: { graceMs: number; now?: Date; batchSize?: number },
): Promise<ReportSettlement[]> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.graceMs);
  return inTransaction(database, async (transaction) => {
    const { rows: due } = await sql<{ generation_id: string; report: unknown; cost_micros: string | number }>`
      SELECT generation_id, report, cost_micros FROM connector_usage_reports
      WHERE resolved_at IS NULL AND received_at <= ${cutoff}::timestamptz
      ORDER BY received_at, generation_id
      LIMIT ${options.batchSize ?? 500}
      FOR UPDATE SKIP LOCKED
    `.execute(transaction);
    if (due.length === 0) return [];
    const generationIds = due.map((row) => row.generation_id);
    const resolvedCharges = async () => {
      const { rows } = await sql<{ generation_id: string; charged_micros: string | number | null }>`
        SELECT generation_id, charged_micros FROM reservations
        WHERE generation_id = ANY(${generationIds}::text[])
          AND (status IN ('settled', 'voided') OR (status = 'expired' AND charged_micros IS NOT NULL))
      `.execute(transaction);
      return new Map(rows.map((row) => [row.generation_id, row.charged_micros === null ? null : Number(row.charged_micros)]));
    };
    const resolvedBefore = await resolvedCharges();
    // Stored reports passed the schema on receipt; parsing again keeps a hand-edited row (or one stored by an
    // older schema) from charging nonsense. One that fails is marked, not thrown: it must not block the rest.
    const unparsable = new Set<string>();
    const reports = new Map<string, ConnectorUsageReport>();
    for (const row of due) {
      if (resolvedBefore.has(row.generation_id)) continue;
      const parsed = connectorUsageReportSchema.safeParse(row.report);
      if (parsed.success) reports.set(row.generation_id, parsed.data);
      else unparsable.add(row.generation_id);
    }
    const facts = due.flatMap((row) => {
      const report = reports.get(row.generation_id);
      return report ? [reportCompletionFact(report, Number(row.cost_micros))] : [];
    });
    // The report's ingress must hold the lease it names; on a closed lease it consumes as ingress would have.
    const reportedBy = new Map([...reports].map(([generationId, report]) => [generationId, report.origin.ingressId]));
    const settled = new Map((await settleGenerations(transaction, facts, { now, reportedBy })).map((result) => [result.generationId, result]));
    const resolvedAfter = settled.size > 0 ? await resolvedCharges() : resolvedBefore;

    const settlements = due.map((row): ReportSettlement => {
      const costMicros = Number(row.cost_micros);
      if (unparsable.has(row.generation_id)) {
        return { generationId: row.generation_id, outcome: unparsableReportOutcome, costMicros, charged: false, conflictingCostMicros: null };
      }
      const result = settled.get(row.generation_id);
      const outcome = result?.outcome ?? settleOutcomes.alreadyResolved;
      const chargedElsewhere = outcome === settleOutcomes.alreadyResolved ? resolvedAfter.get(row.generation_id) : undefined;
      return {
        generationId: row.generation_id,
        outcome,
        costMicros,
        charged: result?.charged ?? false,
        conflictingCostMicros: chargedElsewhere !== undefined && chargedElsewhere !== null && chargedElsewhere !== costMicros ? chargedElsewhere : null,
        ...(result?.anomaly ? { anomaly: result.anomaly } : {}),
      };
    });
    await sql`
      UPDATE connector_usage_reports report SET resolved_at = ${now}::timestamptz, outcome = settled.outcome,
        conflicting_cost_micros = settled.conflicting_cost_micros
      FROM unnest(
        ${settlements.map((settlement) => settlement.generationId)}::text[], ${settlements.map((settlement) => settlement.outcome)}::text[],
        ${settlements.map((settlement) => settlement.conflictingCostMicros)}::bigint[]
      ) AS settled (generation_id, outcome, conflicting_cost_micros)
      WHERE report.generation_id = settled.generation_id
    `.execute(transaction);
    return settlements;
  });
}

/**
 * Deletes up to `limit` reports resolved before `olderThan` that only confirmed a completion fact (outcome
 * `already-resolved`, no conflict): every generation leaves one, and they say nothing the ledger does not.
 * Reports that charged a generation, or disagree with its fact, are kept. Returns how many were deleted.
 */
export async function pruneConfirmingUsageReports(database: DatabaseExecutor, olderThan: Date, limit = 5_000): Promise<number> {
  const result = await sql`
    DELETE FROM connector_usage_reports WHERE generation_id IN (
      SELECT generation_id FROM connector_usage_reports
      WHERE resolved_at < ${olderThan}::timestamptz AND outcome = ${settleOutcomes.alreadyResolved} AND conflicting_cost_micros IS NULL
      LIMIT ${limit}
    )
  `.execute(database);
  return Number(result.numAffectedRows ?? 0n);
}
