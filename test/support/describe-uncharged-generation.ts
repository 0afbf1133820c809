import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Database } from "@switchboard/db";
import { sql, type Kysely } from "kysely";
import type { TrafficRecord } from "./steady-traffic.js";

/** When the kill and the restart happened, on the clock of `performance.now()` (as traffic records are). */
export interface KillTimes {
  killedAt: number;
  restartedAt: number;
}

/**
 * Everything a chaos failure needs to be followed without running it again: for a generation that was
 * shown to its client but not charged, its request (times relative to the kill), its reservation row, its
 * lease, the connector's usage report billing stored, the settlement anomalies recorded for it, its
 * metadata record, and the log lines of every service that name it. One line per source.
 */
export async function describeUnchargedGeneration(options: {
  database: Kysely<Database>;
  generationId: string;
  record: TrafficRecord | undefined;
  kill: KillTimes;
  logDirectory: string;
}): Promise<string> {
  const { database, generationId, record, kill } = options;
  const relative = (at: number | undefined) => (at === undefined ? "?" : `${Math.round(at - kill.killedAt)} ms`);
  const lines = [`${generationId}:`];
  lines.push(
    record === undefined
      ? "  request: not found in the traffic records"
      : `  request: ${record.kind}, started ${relative(record.startedAt)} after the kill (restart at ${relative(kill.restartedAt)}), answered ${relative(record.answeredAt)}, ended ${relative(record.endedAt)}, status ${record.status ?? "none"}, shown cost ${record.clientCostUsd ?? "?"} USD${record.streamEnd ? `, stream ${record.streamEnd}` : ""}${record.errorChunk ? `, in-band error ${JSON.stringify(record.errorChunk)}` : ""}`,
  );
  const { rows: reservations } = await sql<Record<string, unknown>>`
    SELECT status, amount_micros, charged_micros, lease_id, lease_consumed_micros, created_at, resolved_at, expires_at
    FROM reservations WHERE generation_id = ${generationId}
  `.execute(database);
  lines.push(`  reservation: ${reservations.length === 0 ? "none" : JSON.stringify(reservations)}`);
  const { rows: charges } = await sql<Record<string, unknown>>`
    SELECT t.id, t.kind, t.created_at, e.account_id, e.amount_micros FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
    WHERE t.generation_id = ${generationId}
  `.execute(database);
  lines.push(`  ledger: ${charges.length === 0 ? "nothing" : JSON.stringify(charges)}`);
  const { rows: reports } = await sql<Record<string, unknown>>`
    SELECT attempt, lease_id, cost_micros, received_at, resolved_at, outcome, conflicting_cost_micros, report->'origin'->'lease' AS lease, report->>'outcome' AS report_outcome
    FROM connector_usage_reports WHERE generation_id = ${generationId}
  `.execute(database);
  lines.push(`  connector usage report: ${reports.length === 0 ? "none stored" : JSON.stringify(reports)}`);
  const { rows: anomalies } = await sql<Record<string, unknown>>`
    SELECT reason, claimed_micros, lease_id, recorded_at FROM settlement_anomalies WHERE generation_id = ${generationId}
  `.execute(database);
  lines.push(`  settlement anomalies: ${anomalies.length === 0 ? "none" : JSON.stringify(anomalies)}`);
  const leaseIds = [...new Set([...reservations, ...reports, ...anomalies].map((row) => row["lease_id"]).filter((id): id is string => typeof id === "string"))];
  if (leaseIds.length > 0) {
    const { rows: leases } = await sql<Record<string, unknown>>`
      SELECT id, holder, status, granted_micros, returned_micros, created_at, updated_at, expires_at,
        (SELECT coalesce(sum(lease_consumed_micros), 0) FROM reservations WHERE lease_id = credit_leases.id) AS consumed_micros
      FROM credit_leases WHERE id = ANY(${leaseIds}::uuid[])
    `.execute(database);
    lines.push(`  leases: ${JSON.stringify(leases)}`);
  }
  const { rows: recorded } = await sql<Record<string, unknown>>`SELECT cost_micros, status FROM generations WHERE id = ${generationId}`.execute(database);
  lines.push(`  metadata record: ${recorded.length === 0 ? "none" : JSON.stringify(recorded)}`);
  for (const service of ["ingress", "billing", "provider-connector", "metadata-logging"]) {
    const log = await readFile(path.join(options.logDirectory, `${service}.log`), "utf8").catch(() => "");
    const mentions = log.split("\n").filter((line) => line.includes(generationId));
    if (mentions.length > 0) lines.push(`  ${service} log: ${mentions.slice(0, 5).map((line) => line.slice(0, 600)).join("\n    ")}`);
  }
  return lines.join("\n");
}
