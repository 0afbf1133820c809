import { sql, type Kysely } from "kysely";

/**
 * A lease keeps what its generations consumed as a running total (issue 10, hot path): settlement checked
 * each lease's room by summing all its reservations on every batch, work that grew with the lease's life
 * (thousands of generations per lease under load). A statement-level trigger adds each insert's
 * consumption, once per lease per statement, so the total equals Σ reservations.lease_consumed_micros
 * whoever inserts: also a billing replica of the previous release during a rolling upgrade. Reservations
 * are never deleted and their lease consumption never changes once written (reconciliation checks it).
 *
 * One transaction: creating the trigger locks reservations against inserts until the commit, so none
 * falls between the backfill and the trigger.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE credit_leases ADD COLUMN consumed_micros bigint NOT NULL DEFAULT 0 CHECK (consumed_micros >= 0);
    CREATE FUNCTION count_lease_consumption() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE credit_leases lease SET consumed_micros = lease.consumed_micros + totals.consumed_micros
      FROM (
        SELECT lease_id, sum(lease_consumed_micros) AS consumed_micros FROM inserted_reservations
        WHERE lease_id IS NOT NULL AND lease_consumed_micros IS NOT NULL GROUP BY lease_id
      ) totals
      WHERE lease.id = totals.lease_id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER reservations_count_lease_consumption AFTER INSERT ON reservations
      REFERENCING NEW TABLE AS inserted_reservations
      FOR EACH STATEMENT EXECUTE FUNCTION count_lease_consumption();
    UPDATE credit_leases lease SET consumed_micros = totals.consumed_micros
    FROM (SELECT lease_id, sum(lease_consumed_micros) AS consumed_micros FROM reservations WHERE lease_id IS NOT NULL GROUP BY lease_id) totals
    WHERE lease.id = totals.lease_id;
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER reservations_count_lease_consumption ON reservations;
    DROP FUNCTION count_lease_consumption();
    ALTER TABLE credit_leases DROP COLUMN consumed_micros;
  `.execute(database);
}
