import type { Database } from "@switchboard/db";
import { sql, type Kysely } from "kysely";

/** Holds that outlived their expiry by more than one sweep, per account. */
export interface OrphanedHolds {
  /** Pending reservations whose `expires_at` is more than one sweep interval ago. */
  reservations: Map<string, number>;
  /** Credit leases still holding credit (active or closed) more than one sweep interval after `expires_at`. */
  leases: Map<string, number>;
}

/**
 * The sweeper releases a reservation or lease at the first sweep after its expiry: anything older than
 * that still holding credit was lost (issue 10: "no reservation or lease outlives its expiry + one sweep").
 */
export async function findOrphanedHolds(database: Kysely<Database>, sweepIntervalSeconds: number): Promise<OrphanedHolds> {
  const cutoff = sql<Date>`now() - make_interval(secs => ${sweepIntervalSeconds})`;
  const reservations = await database
    .selectFrom("reservations")
    .select(["account_id", (expression) => expression.fn.countAll<string>().as("count")])
    .where("status", "=", "pending")
    .where("expires_at", "<", cutoff)
    .groupBy("account_id")
    .execute();
  const leases = await database
    .selectFrom("credit_leases")
    .select(["account_id", (expression) => expression.fn.countAll<string>().as("count")])
    .where("status", "in", ["active", "closed"])
    .where("expires_at", "<", cutoff)
    .groupBy("account_id")
    .execute();
  return {
    reservations: new Map(reservations.map((row) => [row.account_id, Number(row.count)])),
    leases: new Map(leases.map((row) => [row.account_id, Number(row.count)])),
  };
}
