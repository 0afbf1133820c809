import { connectorUsageReportSchema, reportCompletionFact, computeCostMicros, type ConnectorUsageReport } from "@switchboard/contracts";
import { sql } from "kysely";
import { toGenerationRow, type DatabaseExecutor } from "./generations.js";

/** The status of a generation recorded from the connector's usage report: its ingress never reported it. */
export const abandonedStatus = "abandoned";

/** Stores a batch of usage reports, idempotently by generation id; they wait out their grace period here. */
export async function storeLoggingUsageReports(database: DatabaseExecutor, reports: readonly ConnectorUsageReport[]): Promise<number> {
  const firstOfEach = new Map<string, ConnectorUsageReport>();
  for (const report of reports) if (!firstOfEach.has(report.generationId)) firstOfEach.set(report.generationId, report);
  if (firstOfEach.size === 0) return 0;
  const result = await database
    .insertInto("logging_usage_reports")
    .values([...firstOfEach.values()].map((report) => ({ generation_id: report.generationId, report: JSON.stringify(report) })))
    .onConflict((conflict) => conflict.column("generation_id").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/**
 * Records the generations of the reports whose grace period is over, at most `batchSize`, in one
 * transaction (rows locked SKIP LOCKED, so replicas share the work): a generation ingress's fact did not
 * record by then gets its row from the report, with status `abandoned`; one already recorded keeps its row
 * (and an ingress fact arriving later finds this one). Returns how many reports it resolved and the
 * generation ids it recorded.
 */
export async function recordDueUsageReports(
  database: DatabaseExecutor,
  options: { graceMs: number; now?: Date; batchSize?: number },
): Promise<{ resolved: number; recorded: string[] }> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.graceMs);
  const work = async (transaction: DatabaseExecutor): Promise<{ resolved: number; recorded: string[] }> => {
    const { rows: due } = await sql<{ generation_id: string; report: unknown }>`
      SELECT generation_id, report FROM logging_usage_reports
      WHERE resolved_at IS NULL AND received_at <= ${cutoff}::timestamptz
      ORDER BY received_at, generation_id
      LIMIT ${options.batchSize ?? 500}
      FOR UPDATE SKIP LOCKED
    `.execute(transaction);
    if (due.length === 0) return { resolved: 0, recorded: [] };
    const rows = due.map((row) => {
      const report = connectorUsageReportSchema.parse(row.report);
      const fact = reportCompletionFact(report, computeCostMicros(report.usage, report.price));
      return { ...toGenerationRow(fact), status: abandonedStatus };
    });
    const inserted = await transaction
      .insertInto("generations")
      .values(rows)
      .onConflict((conflict) => conflict.column("id").doNothing())
      .returning("id")
      .execute();
    const recorded = new Set(inserted.map((row) => row.id));
    const generationIds = due.map((row) => row.generation_id);
    await sql`
      UPDATE logging_usage_reports report SET resolved_at = ${now}::timestamptz, recorded = resolved.recorded
      FROM unnest(${generationIds}::text[], ${generationIds.map((id) => recorded.has(id))}::boolean[]) AS resolved (generation_id, recorded)
      WHERE report.generation_id = resolved.generation_id
    `.execute(transaction);
    return { resolved: due.length, recorded: [...recorded] };
  };
  if (database.isTransaction) return work(database);
  return database.transaction().execute(work);
}

/**
 * Deletes up to `limit` reports resolved before `olderThan` that recorded nothing (a completion fact had
 * recorded the generation): every generation leaves one. Returns how many were deleted.
 */
export async function pruneUnusedUsageReports(database: DatabaseExecutor, olderThan: Date, limit = 5_000): Promise<number> {
  const result = await sql`
    DELETE FROM logging_usage_reports WHERE generation_id IN (
      SELECT generation_id FROM logging_usage_reports WHERE resolved_at < ${olderThan}::timestamptz AND recorded = false LIMIT ${limit}
    )
  `.execute(database);
  return Number(result.numAffectedRows ?? 0n);
}
