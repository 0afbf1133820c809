import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import type { Database, ReservationRow } from "@switchboard/db";
import type { Kysely, Transaction } from "kysely";
import { insufficientCreditsError } from "../insufficient-credits-error.js";
import { inTransaction, isForeignKeyViolation, isUniqueViolation, isUuid, type DatabaseExecutor } from "./database-executor.js";

export interface ReserveOptions {
  generationId: string;
  accountId: string;
  keyId: string;
  amountMicros: number;
  ttlSeconds: number;
  /** The reservation's start; its expiry is `now + ttlSeconds`. Defaults to the current time. */
  now?: Date;
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
 * Throws SwitchboardError 402 `insufficient_credits` when the account is short (`triesLeft` bounds the
 * retries when credit comes back while this finds out why it failed), 404 when the account or
 * key does not exist. Takes the database, not a transaction: the duplicate case relies on the statement
 * failing on its own, which inside a caller's transaction would abort that transaction.
 */
export async function reserve(database: Kysely<Database>, options: ReserveOptions, triesLeft = 3): Promise<ReservationRow> {
  const { generationId, accountId, keyId, amountMicros } = options;
  if (!Number.isSafeInteger(amountMicros) || amountMicros < 0) {
    throw new RangeError(`A reservation must be a non-negative whole number of micro-dollars, got ${amountMicros}`);
  }
  if (!isUuid(accountId) || !isUuid(keyId)) throw accountOrKeyNotFound();
  const now = options.now ?? new Date();
  const expiresAt = new Date(now.getTime() + options.ttlSeconds * 1000);
  let reserved: ReservationRow | undefined;
  try {
    reserved = await database
      .with("debit", (query) =>
        query
          .updateTable("accounts")
          .set((expression) => ({ reserved_micros: expression("reserved_micros", "+", amountMicros) }))
          .where("id", "=", accountId)
          .where((expression) =>
            expression(expression(expression("balance_micros", "-", expression.ref("reserved_micros")), "-", expression.ref("leased_micros")), ">=", amountMicros),
          )
          .where((expression) =>
            expression.not(expression.exists(expression.selectFrom("reservations").select("generation_id").where("generation_id", "=", generationId))),
          )
          .returning("id"),
      )
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
  } catch (error) {
    if (isForeignKeyViolation(error)) throw accountOrKeyNotFound();
    if (!isUniqueViolation(error)) throw error;
  }
  if (reserved) return reserved;
  // Not reserved: the generation already holds a reservation, or the account is short or missing.
  const answer = await inTransaction(database, async (transaction) => {
    const existing = await transaction.selectFrom("reservations").select("generation_id").where("generation_id", "=", generationId).executeTakeFirst();
    if (existing) return existingReservation(transaction, generationId, accountId);
    const current = await transaction
      .selectFrom("accounts")
      .select(["balance_micros", "reserved_micros", "leased_micros"])
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (!current) throw accountOrKeyNotFound();
    const availableMicros = current.balance_micros - current.reserved_micros - current.leased_micros;
    // Credit came back (a settlement, a returned lease) between the two statements: try again.
    if (availableMicros >= amountMicros && triesLeft > 1) return undefined;
    throw insufficientCreditsError(amountMicros, availableMicros, current.leased_micros);
  });
  return answer ?? reserve(database, options, triesLeft - 1);
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

