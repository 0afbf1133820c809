import type { LedgerEntryKind } from "@switchboard/db";
import { sql } from "kysely";
import type { DatabaseExecutor } from "./database-executor.js";

/** One posting on a customer account, with the transaction's reason and the balance right after it. */
export interface StatementLine {
  id: number;
  transaction_id: number;
  kind: LedgerEntryKind;
  amount_micros: number;
  running_balance_micros: number;
  reason: string | null;
  generation_id: string | null;
  created_at: Date;
}

/**
 * A page of the account's statement, newest first: its postings with id below `before` (all when absent).
 * The running balance is Σ the account's postings up to and including each one, so the newest line's is
 * the balance the ledger says the account has. Postings ids grow with time (bigserial, append-only), so
 * paging by id is stable while new postings arrive.
 */
export async function readAccountStatement(
  database: DatabaseExecutor,
  options: { accountId: string; limit: number; before?: number | undefined },
): Promise<{ lines: StatementLine[]; nextBefore: number | null }> {
  const before = options.before ?? null;
  const { rows } = await sql<StatementLine>`
    SELECT posting.id, posting.transaction_id, posting.kind, posting.amount_micros, posting.running_balance_micros,
      ledger_transaction.reason, posting.generation_id, posting.created_at
    FROM (
      SELECT entry.*, (sum(entry.amount_micros) OVER (ORDER BY entry.id))::bigint AS running_balance_micros
      FROM ledger_entries entry WHERE entry.account_id = ${options.accountId}::uuid
    ) posting JOIN ledger_transactions ledger_transaction ON ledger_transaction.id = posting.transaction_id
    WHERE ${before}::bigint IS NULL OR posting.id < ${before}::bigint
    ORDER BY posting.id DESC
    LIMIT ${options.limit + 1}
  `.execute(database);
  const lines = rows.slice(0, options.limit);
  return { lines, nextBefore: rows.length > options.limit ? (lines.at(-1)?.id ?? null) : null };
}
