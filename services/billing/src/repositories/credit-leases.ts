import { sql } from "kysely";
import { inTransaction, isUniqueViolation, isUuid, type DatabaseExecutor } from "./database-executor.js";

// Credit leases: slices of an account's available credit that ingress replicas hold requests against
// locally (README.md "Money"). What a lease holds is granted − returned − Σ consumed, where consumption
// is written by settlement on each generation's reservation row; `accounts.leased_micros` is the sum
// over the account's leases that have not expired.
//
// Every statement here locks each row once, by the UPDATE that changes it: locking a row with SELECT …
// FOR UPDATE and then updating it in the same statement deadlocked against concurrent reservations
// (measured in the interleaving test). A lease is granted once and never topped up: an ingress that
// needs more asks for a new lease and closes the old one, so no statement changes a lease and its
// account in the opposite order of another. Settlement locks the leases it consumes (NO KEY UPDATE, in id
// order, before any account), so that two batches check a lease's room one after the other.

export interface GrantLeaseOptions {
  /** Chosen by the holder; an id already used (granted, or closed by an early return) grants nothing. */
  leaseId: string;
  accountId: string;
  holder: string;
  amountMicros: number;
  minimumMicros: number;
  ttlSeconds: number;
  now?: Date;
}

export interface GrantedLease {
  /** Null when nothing was granted. */
  leaseId: string | null;
  grantedMicros: number;
  expiresAt: Date;
}

/**
 * Grants a lease in ONE statement that locks the account row once. The grant is the smaller of
 * `amountMicros` and half of what is free beyond the leases (balance − reserved − 2 × leased), so that
 * after it the account's free credit still covers every lease it has: leases are granted only while
 * the account is far from empty, and near empty every request takes the exact path. The amount is
 * proposed from an unlocked read and the condition checked again on the locked row, so a concurrent
 * change can only make this grant nothing (the holder asks again later), never too much. A grant below
 * `minimumMicros` grants nothing.
 */
export async function grantLease(database: DatabaseExecutor, options: GrantLeaseOptions): Promise<GrantedLease> {
  const { leaseId, accountId, holder, amountMicros, minimumMicros } = options;
  const now = options.now ?? new Date();
  const expiresAt = new Date(now.getTime() + options.ttlSeconds * 1000);
  const nothing: GrantedLease = { leaseId: null, grantedMicros: 0, expiresAt };
  if (!isUuid(accountId) || !isUuid(leaseId) || amountMicros === 0) return nothing;
  // A concurrent return of the same id makes the INSERT fail on the primary key, undoing the debit with it.
  const { rows } = await sql<{ id: string; granted_micros: number }>`
    WITH proposal AS (
      SELECT LEAST(${amountMicros}::bigint, (balance_micros - reserved_micros - 2 * leased_micros) / 2) AS grant_micros
      FROM accounts WHERE id = ${accountId}::uuid
    ), debit AS (
      UPDATE accounts SET leased_micros = accounts.leased_micros + proposal.grant_micros
      FROM proposal
      WHERE accounts.id = ${accountId}::uuid AND proposal.grant_micros >= GREATEST(${minimumMicros}::bigint, 1)
        AND accounts.balance_micros - accounts.reserved_micros - 2 * accounts.leased_micros - 2 * proposal.grant_micros >= 0
        AND NOT EXISTS (SELECT 1 FROM credit_leases WHERE id = ${leaseId}::uuid)
      RETURNING proposal.grant_micros
    )
    INSERT INTO credit_leases (id, account_id, holder, granted_micros, status, expires_at)
    SELECT ${leaseId}::uuid, ${accountId}::uuid, ${holder}, grant_micros, 'active', ${expiresAt}::timestamptz FROM debit
    RETURNING id, granted_micros
  `
    .execute(database)
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) return { rows: [] };
      throw error;
    });
  const row = rows[0];
  return row ? { leaseId: row.id, grantedMicros: row.granted_micros, expiresAt } : nothing;
}

/**
 * Closes an active lease and gives back everything its holder does not expect its generations to
 * consume: returned = granted − `expectedConsumptionMicros`, and the account's leased credit drops by
 * as much, in one statement. The consumption still to come is released as those generations' facts
 * settle, or by the expiry sweep. Returns what was given back (0 for a closed or expired lease). A lease
 * not granted yet (its holder's grant request timed out) is closed before it exists: its id is recorded
 * as closed, and the grant, when it arrives, grants nothing.
 */
export async function returnLease(
  database: DatabaseExecutor,
  options: { leaseId: string; accountId: string; expectedConsumptionMicros: number; now?: Date },
): Promise<number> {
  if (!isUuid(options.leaseId) || !isUuid(options.accountId)) return 0;
  const now = options.now ?? new Date();
  for (let tries = 0; tries < 2; tries++) {
    const returned = await closeLease(database, options, now);
    if (returned !== undefined) return returned;
    // No such lease: its grant has not happened (yet). Closing the id first makes a late grant fail.
    const { rows } = await sql`
      INSERT INTO credit_leases (id, account_id, holder, granted_micros, status, expires_at)
      SELECT ${options.leaseId}::uuid, id, 'returned before its grant', 0, 'closed', ${now}::timestamptz FROM accounts WHERE id = ${options.accountId}::uuid
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    `.execute(database);
    if (rows.length > 0) return 0;
  }
  return 0;
}

/** What an active lease gave back as it closed (0 when already closed or expired); undefined when it does not exist. */
async function closeLease(
  database: DatabaseExecutor,
  options: { leaseId: string; expectedConsumptionMicros: number },
  now: Date,
): Promise<number | undefined> {
  const { rows } = await sql<{ returned_micros: number }>`
    WITH closed AS (
      UPDATE credit_leases SET
        status = 'closed',
        returned_micros = GREATEST(credit_leases.granted_micros - ${options.expectedConsumptionMicros}::bigint, 0),
        updated_at = ${now}::timestamptz
      WHERE id = ${options.leaseId}::uuid AND status = 'active'
      RETURNING account_id, returned_micros
    )
    UPDATE accounts SET leased_micros = GREATEST(accounts.leased_micros - closed.returned_micros, 0)
    FROM closed WHERE accounts.id = closed.account_id
    RETURNING closed.returned_micros
  `.execute(database);
  const row = rows[0];
  if (row) return row.returned_micros;
  const existing = await database.selectFrom("credit_leases").select("id").where("id", "=", options.leaseId).executeTakeFirst();
  return existing ? 0 : undefined;
}

/** Whether the account has a lease a holder may still take generations against (worth recalling). */
export async function hasActiveLease(database: DatabaseExecutor, accountId: string): Promise<boolean> {
  if (!isUuid(accountId)) return false;
  const row = await database
    .selectFrom("credit_leases")
    .select("id")
    .where("account_id", "=", accountId)
    .where("status", "=", "active")
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Expires every lease past its `expires_at` (its holder died or lost billing): what it still holds,
 * granted − returned − consumed, goes back to the account. Leases another transaction holds are
 * skipped for the next sweep; accounts are updated in id order. A generation of an expired lease that
 * reports later is still charged, but takes nothing from the lease. Returns how many leases expired.
 */
export async function expireLeases(database: DatabaseExecutor, now: Date = new Date(), batchSize = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await inTransaction(database, async (transaction) => {
      // FOR UPDATE conflicts with settlement's lock: a lease never expires while a batch consumes it.
      const { rows } = await sql<{ id: string; account_id: string; held_micros: number }>`
        WITH due AS (
          SELECT id FROM credit_leases
          WHERE status <> 'expired' AND expires_at < ${now}::timestamptz
          ORDER BY id LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED
        )
        UPDATE credit_leases lease SET status = 'expired', updated_at = ${now}::timestamptz
        FROM due WHERE lease.id = due.id
        RETURNING lease.id, lease.account_id,
          lease.granted_micros - lease.returned_micros - lease.consumed_micros AS held_micros
      `.execute(transaction);
      const releasedByAccount = new Map<string, number>();
      for (const row of rows) releasedByAccount.set(row.account_id, (releasedByAccount.get(row.account_id) ?? 0) + Math.max(row.held_micros, 0));
      for (const accountId of [...releasedByAccount.keys()].sort()) {
        const released = releasedByAccount.get(accountId) ?? 0;
        if (released === 0) continue;
        await sql`UPDATE accounts SET leased_micros = GREATEST(leased_micros - ${released}::bigint, 0) WHERE id = ${accountId}::uuid`.execute(transaction);
      }
      return rows.length;
    });
    total += expired;
    if (expired < batchSize) return total;
  }
}
