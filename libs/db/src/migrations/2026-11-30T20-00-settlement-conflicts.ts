import { sql, type Kysely } from "kysely";

/**
 * Conflicting completion facts (issue 10): a fact of a generation already settled that claims another cost
 * (other usage or price) changes nothing, but is recorded as the settlement anomaly `conflicting-usage`.
 * A generation may meet several such facts, so these are kept once per (generation id, claimed cost)
 * instead of once per generation id: the primary key becomes two partial unique indexes, and settlement's
 * `ON CONFLICT DO NOTHING` (no target) stays the exactly-once guard for both kinds.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE settlement_anomalies DROP CONSTRAINT settlement_anomalies_pkey;
    CREATE UNIQUE INDEX settlement_anomalies_one_per_generation ON settlement_anomalies (generation_id)
      WHERE reason <> 'conflicting-usage';
    CREATE UNIQUE INDEX settlement_anomalies_one_conflict_per_cost ON settlement_anomalies (generation_id, claimed_micros)
      WHERE reason = 'conflicting-usage';
    ALTER TABLE settlement_anomalies DROP CONSTRAINT settlement_anomalies_reason_check;
    ALTER TABLE settlement_anomalies ADD CONSTRAINT settlement_anomalies_reason_check
      CHECK (reason IN ('no-hold', 'lease-not-found', 'account-mismatch', 'key-mismatch', 'exceeds-lease', 'conflicting-usage'));
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM settlement_anomalies WHERE reason = 'conflicting-usage';
    ALTER TABLE settlement_anomalies DROP CONSTRAINT settlement_anomalies_reason_check;
    ALTER TABLE settlement_anomalies ADD CONSTRAINT settlement_anomalies_reason_check
      CHECK (reason IN ('no-hold', 'lease-not-found', 'account-mismatch', 'key-mismatch', 'exceeds-lease'));
    DROP INDEX settlement_anomalies_one_conflict_per_cost;
    DROP INDEX settlement_anomalies_one_per_generation;
    ALTER TABLE settlement_anomalies ADD PRIMARY KEY (generation_id);
  `.execute(database);
}
