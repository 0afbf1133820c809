import type { SettlementAnomalyRow } from "@switchboard/db";
import type { DatabaseExecutor } from "./database-executor.js";

/** The newest `limit` settlement anomalies, newest first (settle-generations.ts records them). */
export function listSettlementAnomalies(database: DatabaseExecutor, limit: number): Promise<SettlementAnomalyRow[]> {
  return database
    .selectFrom("settlement_anomalies")
    .selectAll()
    .orderBy("recorded_at", "desc")
    .orderBy("generation_id", "desc")
    .limit(limit)
    .execute();
}
