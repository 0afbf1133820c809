import { sql } from "kysely";
import type { DatabaseExecutor } from "./database-executor.js";

/**
 * What the ledger says about an account: micro-dollars ever granted (adjustments included, as they count
 * either way), and ever charged (as a positive amount).
 */
export interface AccountCredits {
  grantedMicros: number;
  chargedMicros: number;
}

/** Summed from the append-only ledger, so the figures agree with the balance (granted − charged) by construction. */
export async function getAccountCredits(database: DatabaseExecutor, accountId: string): Promise<AccountCredits> {
  const row = await database
    .selectFrom("ledger_entries")
    .select([
      sql<number>`coalesce(sum(amount_micros) FILTER (WHERE kind <> 'charge'), 0)::bigint`.as("granted"),
      sql<number>`coalesce(sum(-amount_micros) FILTER (WHERE kind = 'charge'), 0)::bigint`.as("charged"),
    ])
    .where("account_id", "=", accountId)
    .executeTakeFirstOrThrow();
  return { grantedMicros: row.granted, chargedMicros: row.charged };
}
