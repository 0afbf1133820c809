import { computeCostMicros, connectorUsageReportSchema, reportCompletionFact, type ConnectorUsageReport } from "@switchboard/contracts";
import { sql } from "kysely";
import { inTransaction, type DatabaseExecutor } from "./database-executor.js";
import { settleGenerations, settleOutcomes, type SettleOutcome, type SettleResult } from "./settle-generations.js";

/**
 * Stores a batch of usage reports, idempotently by generation id (a redelivery, or a second report of the
 * same generation, keeps the first). Returns how many were new. Nothing is charged here: a report waits for
 * its grace period, in which ingress's completion fact normally settles the generation.
 */
export async function storeUsageReports(database: DatabaseExecutor, reports: readonly ConnectorUsageReport[]): Promise<number> {
  const firstOfEach = new Map<string, ConnectorUsageReport>();
  for (const report of reports) if (!firstOfEach.has(report.generationId)) firstOfEach.set(report.generationId, report);
  if (firstOfEach.size === 0) return 0;
  const result = await database
    .insertInto("connector_usage_reports")
    .values(
      [...firstOfEach.values()].map((report) => ({
        generation_id: report.generationId,
        attempt: report.origin.attempt,
        account_id: report.origin.accountId,
        key_id: report.origin.keyId,
        lease_id: report.origin.lease?.leaseId ?? null,
        report: JSON.stringify(report),
        cost_micros: computeCostMicros(report.usage, report.price),
      })),
    )
    .onConflict((conflict) => conflict.column("generation_id").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/** What settling one due report did. */
export interface ReportSettlement {
  generationId: string;
  /** `already-resolved` when a completion fact (or an earlier pass) had settled the generation. */
  outcome: SettleOutcome;
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
    const toSettle = due.filter((row) => !resolvedBefore.has(row.generation_id));
    // Stored reports passed the schema on receipt; parsing again keeps a hand-edited row from charging nonsense.
    const facts = toSettle.map((row) => reportCompletionFact(connectorUsageReportSchema.parse(row.report), Number(row.cost_micros)));
    const settled = new Map((await settleGenerations(transaction, facts, { now })).map((result) => [result.generationId, result]));
    const resolvedAfter = settled.size > 0 ? await resolvedCharges() : resolvedBefore;

    const settlements = due.map((row): ReportSettlement => {
      const costMicros = Number(row.cost_micros);
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
