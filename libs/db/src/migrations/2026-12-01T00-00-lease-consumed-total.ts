import { sql, type Kysely } from "kysely";

/**
 * A lease keeps what its generations consumed as a running total (issue 10, hot path): settlement checked
 * each lease's room by summing all its reservations on every batch, work that grew with the lease's life
 * (thousands of generations per lease under load). Settlement adds each batch's consumption in the same
 * transaction that inserts the reservations, so the total always equals Σ reservations.lease_consumed_micros
 * (the ledger audit in the billing tests checks it).
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE credit_leases ADD COLUMN consumed_micros bigint NOT NULL DEFAULT 0 CHECK (consumed_micros >= 0);
    UPDATE credit_leases lease SET consumed_micros = totals.consumed_micros
    FROM (SELECT lease_id, sum(lease_consumed_micros) AS consumed_micros FROM reservations WHERE lease_id IS NOT NULL GROUP BY lease_id) totals
    WHERE lease.id = totals.lease_id;
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credit_leases DROP COLUMN consumed_micros`.execute(database);
}
