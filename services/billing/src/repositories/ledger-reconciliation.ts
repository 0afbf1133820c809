import type { LedgerReconciliation } from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import { sql, type Transaction } from "kysely";
import type { DatabaseExecutor } from "./database-executor.js";

/** At most this many drifting accounts and unbalanced transactions are listed; the first are enough to start. */
const listedDriftMaximum = 1000;

/**
 * Reconciles the ledger: for every customer account, the cached `balance_micros` against Σ its postings,
 * and for every ledger transaction, Σ its postings against zero (with at least two postings), and the
 * whole ledger's total against zero, and every credit lease's running total of consumption against Σ its
 * generations' (`credit_leases.consumed_micros`, which the lease's room and expiry rely on). Reads one snapshot (REPEATABLE READ), so settlements committing
 * meanwhile cannot look like drift. Never changes anything: drift is for a person to investigate.
 */
export async function reconcileLedger(database: DatabaseExecutor): Promise<LedgerReconciliation> {
  if (database.isTransaction) return reconcileIn(database as Transaction<Database>);
  return database.transaction().setIsolationLevel("repeatable read").setAccessMode("read only").execute(reconcileIn);
}

async function reconcileIn(transaction: Transaction<Database>): Promise<LedgerReconciliation> {
  const { rows: accountDrifts } = await sql<{ account_id: string; balance_micros: number; ledger_micros: number }>`
    SELECT account.id AS account_id, account.balance_micros, coalesce(posted.total, 0)::bigint AS ledger_micros
    FROM accounts account
      LEFT JOIN (SELECT account_id, sum(amount_micros) AS total FROM ledger_entries WHERE account_id IS NOT NULL GROUP BY account_id) posted
        ON posted.account_id = account.id
    WHERE account.balance_micros <> coalesce(posted.total, 0)
    ORDER BY account.id
    LIMIT ${listedDriftMaximum}
  `.execute(transaction);
  const { rows: unbalanced } = await sql<{ transaction_id: number; total_micros: number; postings: number }>`
    SELECT ledger_transaction.id AS transaction_id, coalesce(sum(entry.amount_micros), 0)::bigint AS total_micros, count(entry.id)::bigint AS postings
    FROM ledger_transactions ledger_transaction LEFT JOIN ledger_entries entry ON entry.transaction_id = ledger_transaction.id
    GROUP BY ledger_transaction.id
    HAVING coalesce(sum(entry.amount_micros), 0) <> 0 OR count(entry.id) < 2
    ORDER BY ledger_transaction.id
    LIMIT ${listedDriftMaximum}
  `.execute(transaction);
  const { rows: leaseDrifts } = await sql<{ lease_id: string; consumed_micros: number; generations_micros: number }>`
    SELECT lease.id AS lease_id, lease.consumed_micros, coalesce(consumed.total, 0)::bigint AS generations_micros
    FROM credit_leases lease
      LEFT JOIN (SELECT lease_id, sum(lease_consumed_micros) AS total FROM reservations WHERE lease_id IS NOT NULL GROUP BY lease_id) consumed
        ON consumed.lease_id = lease.id
    WHERE lease.consumed_micros <> coalesce(consumed.total, 0)
    ORDER BY lease.id
    LIMIT ${listedDriftMaximum}
  `.execute(transaction);
  const totals = await sql<{ ledger_total_micros: number; accounts_checked: number }>`
    SELECT (SELECT coalesce(sum(amount_micros), 0)::bigint FROM ledger_entries) AS ledger_total_micros,
      (SELECT count(*)::bigint FROM accounts) AS accounts_checked
  `.execute(transaction);
  const [total] = totals.rows;
  const ledgerTotalMicros = total?.ledger_total_micros ?? 0;
  return {
    balanced: accountDrifts.length === 0 && unbalanced.length === 0 && ledgerTotalMicros === 0 && leaseDrifts.length === 0,
    accounts_checked: total?.accounts_checked ?? 0,
    account_drifts: accountDrifts.map((row) => ({ ...row, drift_micros: row.balance_micros - row.ledger_micros })),
    unbalanced_transactions: unbalanced,
    ledger_total_micros: ledgerTotalMicros,
    lease_drifts: leaseDrifts,
  };
}
