import type { LedgerEntryKind, SystemLedgerAccount } from "@switchboard/db";
import { sql } from "kysely";
import type { DatabaseExecutor } from "./database-executor.js";

/** A movement between one customer account and one system ledger account, e.g. a grant from `funding`. */
export interface CustomerLedgerTransaction {
  kind: LedgerEntryKind;
  accountId: string;
  /** What the customer account gains (negative: loses); the system account gets the opposite. */
  amountMicros: number;
  systemAccount: SystemLedgerAccount;
  reason: string | null;
}

/**
 * Records one ledger transaction and both its postings in ONE statement: the database checks at the end
 * of each statement that every transaction it touched balances (2026-11-30T19-20-double-entry-ledger), so
 * the legs cannot be written separately. The caller moves the account's cached balance in the same
 * database transaction. Returns the ledger transaction's id.
 */
export async function recordCustomerLedgerTransaction(database: DatabaseExecutor, movement: CustomerLedgerTransaction): Promise<number> {
  const { rows } = await sql<{ transaction_id: number }>`
    WITH created AS (
      INSERT INTO ledger_transactions (kind, reason) VALUES (${movement.kind}, ${movement.reason}) RETURNING id
    )
    INSERT INTO ledger_entries (transaction_id, account_id, ledger_account, kind, amount_micros)
    SELECT id, ${movement.accountId}::uuid, NULL, ${movement.kind}, ${movement.amountMicros}::bigint FROM created
    UNION ALL
    SELECT id, NULL, ${movement.systemAccount}, ${movement.kind}, -${movement.amountMicros}::bigint FROM created
    RETURNING transaction_id
  `.execute(database);
  const [row] = rows;
  if (!row) throw new Error("recording a ledger transaction inserted no posting");
  return row.transaction_id;
}
