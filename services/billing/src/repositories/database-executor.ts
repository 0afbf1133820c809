import type { Database } from "@switchboard/db";
import type { Kysely, Transaction } from "kysely";

/** What every repository function takes first: the database, or a transaction the caller already opened. */
export type DatabaseExecutor = Kysely<Database> | Transaction<Database>;

/**
 * Runs `work` in a transaction of its own, or inside the caller's when `database` already is one: kysely
 * transactions do not nest, and a caller composing several repository calls wants them to commit together.
 */
export function inTransaction<Result>(
  database: DatabaseExecutor,
  work: (transaction: Transaction<Database>) => Promise<Result>,
): Promise<Result> {
  if (database.isTransaction) return work(database as Transaction<Database>);
  return database.transaction().execute(work);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Account and key ids are PostgreSQL `uuid`s; anything else can match no row, and passing it to the
 * server would fail the statement (SQLSTATE 22P02) instead of answering "not found".
 */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** SQLSTATE 23503: a referenced row (account, key) does not exist. */
export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "23503";
}

/** SQLSTATE 23505: a unique constraint (here: one reservation per generation) refused a duplicate. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "23505";
}
