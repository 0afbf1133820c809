import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import type { Database, ReservationRow } from "@switchboard/db";
import { sql, type Kysely, type Transaction } from "kysely";
import { insufficientCreditsError, keyLimitExceededError } from "../insufficient-credits-error.js";
import { inTransaction, isForeignKeyViolation, isUniqueViolation, isUuid, type DatabaseExecutor } from "./database-executor.js";
import { keyLimitUseSql } from "./key-usage.js";
import { TurnsByKey } from "./turns-by-key.js";

export interface ReserveOptions {
  generationId: string;
  accountId: string;
  keyId: string;
  amountMicros: number;
  ttlSeconds: number;
  /** The caller knows the key has a spending limit: go straight to the limited key's path. */
  keyLimited?: boolean | undefined;
  /** The reservation's start; its expiry is `now + ttlSeconds`. Defaults to the current time. */
  now?: Date;
  /** When the requester stops waiting (epoch ms): a limited key's reservation still queued then is skipped with a 503. */
  deadlineEpochMs?: number | undefined;
}

/**
 * Holds `amountMicros` of the account's available credit for one generation in ONE statement (it is on
 * every request's path, so one round trip, as DESIGN.md's hot-path budget asks): raise `reserved_micros`
 * only if `balance − reserved − leased` still covers the amount and the generation holds nothing yet, and insert
 * the pending reservation from that same row. PostgreSQL re-evaluates the condition after waiting for
 * the account's row lock, so concurrent reservations are serialized per account and never overdraw it;
 * a concurrent duplicate fails the whole statement on the primary key, undoing its update with it.
 * A repeated request for the same generation gets the existing reservation back and reserves nothing.
 *
 * A key with a spending limit takes `reserveForLimitedKey` instead: the one statement holds nothing for
 * such a key, and finding out why sends it there (directly when the caller says the key is limited).
 *
 * Throws SwitchboardError 402 `insufficient_credits` when the account is short (`triesLeft` bounds the
 * retries when credit comes back while this finds out why it failed), or the key's limit is, 404 when the
 * account or key does not exist. Takes the database, not a transaction: the duplicate case relies on the
 * statement failing on its own, which inside a caller's transaction would abort that transaction.
 */
export async function reserve(database: Kysely<Database>, options: ReserveOptions, triesLeft = 3): Promise<ReservationRow> {
  const { generationId, accountId, keyId, amountMicros } = options;
  if (!Number.isSafeInteger(amountMicros) || amountMicros < 0) {
    throw new RangeError(`A reservation must be a non-negative whole number of micro-dollars, got ${amountMicros}`);
  }
  if (!isUuid(accountId) || !isUuid(keyId)) throw accountOrKeyNotFound();
  const now = options.now ?? new Date();
  const expiresAt = new Date(now.getTime() + options.ttlSeconds * 1000);
  if (options.keyLimited === true) return reserveForLimitedKey(database, options, expiresAt);
  let reserved: ReservationRow | undefined;
  try {
    reserved = await holdAccountCredit(database, options, expiresAt, { onlyForUnlimitedKey: true });
  } catch (error) {
    if (isForeignKeyViolation(error)) throw accountOrKeyNotFound();
    if (!isUniqueViolation(error)) throw error;
  }
  if (reserved) return reserved;
  // Not reserved: the generation already holds a reservation, the key has a limit, or the account is short or missing.
  const answer = await inTransaction(database, async (transaction) => {
    const existing = await transaction.selectFrom("reservations").select("generation_id").where("generation_id", "=", generationId).executeTakeFirst();
    if (existing) return existingReservation(transaction, generationId, accountId);
    const key = await transaction.selectFrom("api_keys").select("limit_micros").where("id", "=", keyId).executeTakeFirst();
    if (key !== undefined && key.limit_micros !== null) return limitedKey;
    const current = await accountCredit(transaction, accountId);
    // Credit came back (a settlement, a returned lease) between the two statements: try again.
    if (current.availableMicros >= amountMicros && triesLeft > 1) return undefined;
    throw insufficientCreditsError(amountMicros, current.availableMicros, current.leasedMicros);
  });
  if (answer === limitedKey) return reserveForLimitedKey(database, options, expiresAt);
  return answer ?? reserve(database, options, triesLeft - 1);
}

/** What `reserve`'s look at a failed hold answers when the key has a spending limit. */
const limitedKey = Symbol("limited key");

/**
 * Reservations of one limited key take turns in this process (turns-by-key.ts). At about a millisecond
 * each, a thousand waiting is a second's wait; a longer burst would outwait ingress, so it is refused
 * (503, retryable) rather than queued.
 */
export const limitedKeyTurns = new TurnsByKey({ maximumQueued: 1_000 });

/** What the limited key's statement saw besides the reservation it made (null columns when it made none). */
interface LimitedHoldState {
  remaining_micros: number;
  available_micros: number;
  leased_micros_now: number;
  already_reserved: boolean;
}

/** The limited key's transaction: the reservation made, or what explains that none was. */
type LimitedHold = { reserved: ReservationRow } | { refused: LimitedHoldState };

/**
 * A reservation for a key with a spending limit. In one transaction: lock the key's row (so that the key's
 * reservations, and changes of its limit, take turns across billing replicas), then in ONE statement check
 * that the limit less what counts against it (`keyLimitUseSql`: the period's charges and the pending holds,
 * read after the lock, so with every earlier reservation of the key) covers the amount, and hold the
 * account's credit as `reserve` does; the same statement reports why it held nothing. The lock is held for
 * that statement and the commit only. Locks are always taken key first, then account, and nothing locks an
 * account's row and then a key's, so this cannot deadlock with settlement, the sweeper or another
 * reservation. `FOR NO KEY UPDATE`, not `FOR UPDATE`: the reservations' foreign key to the key takes
 * `FOR KEY SHARE`, which must not wait for this lock (settlement inserts rows for lease holds of the key).
 */
function reserveForLimitedKey(database: Kysely<Database>, options: ReserveOptions, expiresAt: Date, triesLeft = 3): Promise<ReservationRow> {
  return limitedKeyTurns.run(options.keyId, async () => {
    const { generationId, accountId, keyId, amountMicros } = options;
    let held: LimitedHold | undefined;
    try {
      held = await inTransaction(database, async (transaction) => {
        const key = await transaction
          .selectFrom("api_keys")
          .select(["account_id", "limit_micros", "limit_reset"])
          .where("id", "=", keyId)
          .forNoKeyUpdate()
          .executeTakeFirst();
        if (!key || key.account_id !== accountId) throw accountOrKeyNotFound();
        // The limit was lifted since the caller looked: the account's credit alone decides.
        if (key.limit_micros === null) {
          const reserved = await holdAccountCredit(transaction, options, expiresAt, { onlyForUnlimitedKey: false });
          if (reserved) return { reserved };
          const account = await accountCredit(transaction, accountId);
          return { refused: { remaining_micros: Number.MAX_SAFE_INTEGER, available_micros: account.availableMicros, leased_micros_now: account.leasedMicros, already_reserved: false } };
        }
        const { rows } = await sql<Partial<ReservationRow> & LimitedHoldState>`
          WITH state AS (
            SELECT ${key.limit_micros}::bigint - ${keyLimitUseSql(keyId, key.limit_reset)} AS remaining_micros,
              account.balance_micros - account.reserved_micros - account.leased_micros AS available_micros,
              account.leased_micros AS leased_micros_now,
              EXISTS (SELECT 1 FROM reservations WHERE generation_id = ${generationId}) AS already_reserved
            FROM accounts account WHERE account.id = ${accountId}
          ), debit AS (
            UPDATE accounts SET reserved_micros = accounts.reserved_micros + ${amountMicros}
            FROM state
            WHERE accounts.id = ${accountId}
              AND accounts.balance_micros - accounts.reserved_micros - accounts.leased_micros >= ${amountMicros}
              AND state.remaining_micros >= ${amountMicros}
              AND NOT state.already_reserved
            RETURNING accounts.id
          ), inserted AS (
            INSERT INTO reservations (generation_id, account_id, key_id, amount_micros, status, charged_micros, resolved_at, expires_at)
            SELECT ${generationId}, debit.id, ${keyId}::uuid, ${amountMicros}, 'pending', NULL, NULL, ${expiresAt}::timestamptz FROM debit
            RETURNING *
          )
          SELECT inserted.*, state.remaining_micros::bigint, state.available_micros, state.leased_micros_now, state.already_reserved
          FROM state LEFT JOIN inserted ON true
        `.execute(transaction);
        const row = rows[0];
        if (!row) throw accountOrKeyNotFound();
        if (typeof row.generation_id === "string") return { reserved: reservationOf(row as ReservationRow) };
        return { refused: row };
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw accountOrKeyNotFound();
      // The same generation reserved at once through another key (whose lock is not this one): a repeat.
      if (!isUniqueViolation(error)) throw error;
    }
    if (held && "reserved" in held) return held.reserved;
    if (!held || held.refused.already_reserved) return inTransaction(database, (transaction) => existingReservation(transaction, generationId, accountId));
    const { refused } = held;
    if (refused.remaining_micros < amountMicros) throw keyLimitExceededError(amountMicros, refused.remaining_micros, refused.available_micros);
    // The account's credit decided: retried when it came back meanwhile (a settlement, a returned lease).
    if (refused.available_micros < amountMicros || triesLeft <= 1) {
      throw insufficientCreditsError(amountMicros, refused.available_micros, refused.leased_micros_now);
    }
    return undefined;
  }, { deadlineEpochMs: options.deadlineEpochMs }).then((reserved) => reserved ?? reserveForLimitedKey(database, options, expiresAt, triesLeft - 1));
}

/** The reservation columns of a row that also carries other columns. */
function reservationOf(row: ReservationRow): ReservationRow {
  const { generation_id, account_id, key_id, amount_micros, status, charged_micros, created_at, resolved_at, expires_at, lease_id, lease_consumed_micros } = row;
  return { generation_id, account_id, key_id, amount_micros, status, charged_micros, created_at, resolved_at, expires_at, lease_id, lease_consumed_micros };
}

/**
 * The statement both paths hold credit with: raise the account's `reserved_micros` if its available credit
 * covers the amount and insert the pending reservation, or do nothing and return undefined. With
 * `onlyForUnlimitedKey`, it also does nothing for a key with a spending limit, whose reservations must be
 * checked against the limit under the key's lock.
 */
function holdAccountCredit(
  database: DatabaseExecutor,
  options: ReserveOptions,
  expiresAt: Date,
  condition: { onlyForUnlimitedKey: boolean },
): Promise<ReservationRow | undefined> {
  const { generationId, accountId, keyId, amountMicros } = options;
  return database
    .with("debit", (query) => {
      let debit = query
        .updateTable("accounts")
        .set((expression) => ({ reserved_micros: expression("reserved_micros", "+", amountMicros) }))
        .where("id", "=", accountId)
        .where((expression) =>
          expression(expression(expression("balance_micros", "-", expression.ref("reserved_micros")), "-", expression.ref("leased_micros")), ">=", amountMicros),
        )
        .where((expression) =>
          expression.not(expression.exists(expression.selectFrom("reservations").select("generation_id").where("generation_id", "=", generationId))),
        );
      if (condition.onlyForUnlimitedKey) {
        debit = debit.where((expression) =>
          expression.not(expression.exists(expression.selectFrom("api_keys").select("id").where("id", "=", keyId).where("limit_micros", "is not", null))),
        );
      }
      return debit.returning("id");
    })
    .insertInto("reservations")
    .columns(["generation_id", "account_id", "key_id", "amount_micros", "status", "charged_micros", "resolved_at", "expires_at"])
    .expression((query) =>
      query
        .selectFrom("debit")
        .select((expression) => [
          expression.val(generationId).as("generation_id"),
          "debit.id",
          expression.val(keyId).as("key_id"),
          expression.val(amountMicros).as("amount_micros"),
          expression.val("pending").as("status"),
          expression.val(null).as("charged_micros"),
          expression.val(null).as("resolved_at"),
          expression.val(expiresAt).as("expires_at"),
        ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** The account's available credit (`balance − reserved − leased`) and what leases hold of it; 404 when it does not exist. */
async function accountCredit(database: DatabaseExecutor, accountId: string): Promise<{ availableMicros: number; leasedMicros: number }> {
  const current = await database
    .selectFrom("accounts")
    .select(["balance_micros", "reserved_micros", "leased_micros"])
    .where("id", "=", accountId)
    .executeTakeFirst();
  if (!current) throw accountOrKeyNotFound();
  return { availableMicros: current.balance_micros - current.reserved_micros - current.leased_micros, leasedMicros: current.leased_micros };
}

async function existingReservation(
  transaction: Transaction<Database>,
  generationId: string,
  accountId: string,
): Promise<ReservationRow> {
  const existing = await transaction
    .selectFrom("reservations")
    .selectAll()
    .where("generation_id", "=", generationId)
    .executeTakeFirstOrThrow();
  if (existing.account_id !== accountId) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.invalidRequest, 400, `Generation ${generationId} is already reserved by another account`),
    );
  }
  // A repeated request may get the hold back, but a generation that already ended holds nothing to use.
  if (existing.status !== "pending") {
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, `Generation ${generationId} has already ended (${existing.status})`));
  }
  return existing;
}

function accountOrKeyNotFound(): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.notFound, 404, "Account or API key not found"));
}

/**
 * Releases the hold of every pending reservation whose `expires_at` is before `now` (a generation that
 * never reported), marking it `expired`. Rows another transaction holds are skipped (`SKIP LOCKED`) and
 * left for the next sweep, and accounts are updated in id order, so concurrent sweepers on several
 * replicas neither block nor deadlock. Returns how many reservations expired.
 */
export async function expirePendingReservations(
  database: DatabaseExecutor,
  now: Date = new Date(),
  batchSize = 500,
): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await inTransaction(database, async (transaction) => {
      const rows = await transaction
        .selectFrom("reservations")
        .select(["generation_id", "account_id", "amount_micros"])
        .where("status", "=", "pending")
        .where("expires_at", "<", now)
        .orderBy("expires_at")
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      await transaction
        .updateTable("reservations")
        .set({ status: "expired", resolved_at: now })
        .where("generation_id", "in", rows.map((row) => row.generation_id))
        .execute();
      const releasedByAccount = new Map<string, number>();
      for (const row of rows) {
        releasedByAccount.set(row.account_id, (releasedByAccount.get(row.account_id) ?? 0) + row.amount_micros);
      }
      for (const accountId of [...releasedByAccount.keys()].sort()) {
        const released = releasedByAccount.get(accountId) ?? 0;
        await transaction
          .updateTable("accounts")
          .set((expression) => ({ reserved_micros: expression("reserved_micros", "-", released) }))
          .where("id", "=", accountId)
          .execute();
      }
      return rows.length;
    });
    total += expired;
    if (expired < batchSize) return total;
  }
}


/** How many reservations hold credit right now (pending): the `switchboard_ledger_reservations_open` gauge, read at each scrape through the pending-expiry index. */
export async function countOpenReservations(database: DatabaseExecutor): Promise<number> {
  const row = await database
    .selectFrom("reservations")
    .select((expression) => expression.fn.countAll<string>().as("open"))
    .where("status", "=", "pending")
    .executeTakeFirstOrThrow();
  return Number(row.open);
}
