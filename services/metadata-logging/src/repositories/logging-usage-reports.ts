import { connectorUsageReportSchema, reportCompletionFact, computeCostMicros, type ConnectorUsageReport } from "@switchboard/contracts";
import { sql } from "kysely";
import { toGenerationRow, type DatabaseExecutor } from "./generations.js";

/** The status of a generation recorded from the connector's usage report: its ingress never reported it. */
export const abandonedStatus = "abandoned";

/**
 * Stores a batch of usage reports in one statement, one row per generation: its highest attempt's report.
 * A higher attempt replaces a stored lower one while it is unresolved (and restarts its grace period); a
 * redelivery or a lower attempt changes nothing. A report whose generation is already recorded (ingress's
 * fact came first) is not stored: it could only confirm. Returns how many rows were written.
 */
export async function storeLoggingUsageReports(database: DatabaseExecutor, reports: readonly ConnectorUsageReport[]): Promise<number> {
  const highestOfEach = new Map<string, ConnectorUsageReport>();
  for (const report of reports) {
    const stored = highestOfEach.get(report.generationId);
    if (!stored || report.origin.attempt > stored.origin.attempt) highestOfEach.set(report.generationId, report);
  }
  if (highestOfEach.size === 0) return 0;
  const unique = [...highestOfEach.values()];
  const result = await sql`
    INSERT INTO logging_usage_reports (generation_id, attempt, report)
    SELECT received.* FROM unnest(
      ${unique.map((report) => report.generationId)}::text[], ${unique.map((report) => report.origin.attempt)}::integer[],
      ${unique.map((report) => JSON.stringify(report))}::jsonb[]
    ) AS received (generation_id, attempt, report)
    WHERE NOT EXISTS (SELECT 1 FROM generations generation WHERE generation.id = received.generation_id)
    ORDER BY received.generation_id
    ON CONFLICT (generation_id) DO UPDATE SET attempt = excluded.attempt, report = excluded.report, received_at = excluded.received_at
    WHERE excluded.attempt > logging_usage_reports.attempt AND logging_usage_reports.resolved_at IS NULL
  `.execute(database);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Records the generations of the reports whose grace period is over, at most `batchSize`, in one
 * transaction (rows locked SKIP LOCKED, so replicas share the work): a generation ingress's fact did not
 * record by then gets its row from the report, with status `abandoned`; one already recorded keeps its row
 * (and an ingress fact arriving later finds this one). A report that no longer parses is resolved as
 * `unparsable` and recorded nothing. Returns how many reports it resolved, the generation ids it recorded,
 * and those of the unparsable ones.
 */
export async function recordDueUsageReports(
  database: DatabaseExecutor,
  options: { graceMs: number; now?: Date; batchSize?: number },
): Promise<{ resolved: number; recorded: string[]; unparsable: string[] }> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.graceMs);
  const work = async (transaction: DatabaseExecutor): Promise<{ resolved: number; recorded: string[]; unparsable: string[] }> => {
    const { rows: due } = await sql<{ generation_id: string; report: unknown }>`
      SELECT generation_id, report FROM logging_usage_reports
      WHERE resolved_at IS NULL AND received_at <= ${cutoff}::timestamptz
      ORDER BY received_at, generation_id
      LIMIT ${options.batchSize ?? 500}
      FOR UPDATE SKIP LOCKED
    `.execute(transaction);
    if (due.length === 0) return { resolved: 0, recorded: [], unparsable: [] };
    // A stored report that no longer parses is marked and skipped: thrown, it would fail every pass.
    const unparsable: string[] = [];
    const rows = due.flatMap((row) => {
      const parsed = connectorUsageReportSchema.safeParse(row.report);
      if (!parsed.success) {
        unparsable.push(row.generation_id);
        return [];
      }
      const fact = reportCompletionFact(parsed.data, computeCostMicros(parsed.data.usage, parsed.data.price));
      return [{ ...toGenerationRow(fact), status: abandonedStatus }];
    });
    const inserted =
      rows.length === 0
        ? []
        : await transaction
            .insertInto("generations")
            .values(rows)
            .onConflict((conflict) => conflict.column("id").doNothing())
            .returning("id")
            .execute();
    const recorded = new Set(inserted.map((row) => row.id));
    const generationIds = due.map((row) => row.generation_id);
    await sql`
      UPDATE logging_usage_reports report SET resolved_at = ${now}::timestamptz, recorded = resolved.recorded, unparsable = resolved.unparsable
      FROM unnest(
        ${generationIds}::text[], ${generationIds.map((id) => recorded.has(id))}::boolean[], ${generationIds.map((id) => unparsable.includes(id))}::boolean[]
      ) AS resolved (generation_id, recorded, unparsable)
      WHERE report.generation_id = resolved.generation_id
    `.execute(transaction);
    return { resolved: due.length, recorded: [...recorded], unparsable };
  };
  if (database.isTransaction) return work(database);
  return database.transaction().execute(work);
}

/**
 * Deletes up to `limit` reports resolved before `olderThan` that recorded nothing (a completion fact had
 * recorded the generation); unparsable ones are kept for operators. Returns how many were deleted.
 */
export async function pruneUnusedUsageReports(database: DatabaseExecutor, olderThan: Date, limit = 5_000): Promise<number> {
  const result = await sql`
    DELETE FROM logging_usage_reports WHERE generation_id IN (
      SELECT generation_id FROM logging_usage_reports
      WHERE resolved_at < ${olderThan}::timestamptz AND recorded = false AND NOT unparsable LIMIT ${limit}
    )
  `.execute(database);
  return Number(result.numAffectedRows ?? 0n);
}
