import type { AccountDataPolicy } from "@switchboard/contracts";
import type { AccountRow } from "@switchboard/db";
import { inTransaction, isUuid, type DatabaseExecutor } from "./database-executor.js";

/** Opens an account with a zero balance. */
export function createAccount(database: DatabaseExecutor, name: string): Promise<AccountRow> {
  return database.insertInto("accounts").values({ name }).returningAll().executeTakeFirstOrThrow();
}

/** The account, or undefined when no account has this id. */
export async function getAccount(database: DatabaseExecutor, id: string): Promise<AccountRow | undefined> {
  if (!isUuid(id)) return undefined;
  return database.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
}

/**
 * Adds credit: a `grant` ledger entry and the balance change commit together, so the balance always
 * equals the sum of the account's ledger entries. Undefined when the account does not exist.
 */
export async function grantCredits(
  database: DatabaseExecutor,
  accountId: string,
  amountMicros: number,
): Promise<AccountRow | undefined> {
  if (!Number.isSafeInteger(amountMicros) || amountMicros <= 0) {
    throw new RangeError(`A grant must be a positive whole number of micro-dollars, got ${amountMicros}`);
  }
  if (!isUuid(accountId)) return undefined;
  return inTransaction(database, async (transaction) => {
    const account = await transaction
      .updateTable("accounts")
      .set((expression) => ({ balance_micros: expression("balance_micros", "+", amountMicros) }))
      .where("id", "=", accountId)
      .returningAll()
      .executeTakeFirst();
    if (!account) return undefined;
    await transaction
      .insertInto("ledger_entries")
      .values({ account_id: accountId, kind: "grant", amount_micros: amountMicros, generation_id: null })
      .execute();
    return account;
  });
}

/** Changes the given fields of the account's data policy. The updated account, or undefined when no account has this id. */
export async function setAccountDataPolicy(
  database: DatabaseExecutor,
  accountId: string,
  policy: Partial<AccountDataPolicy>,
): Promise<AccountRow | undefined> {
  if (!isUuid(accountId)) return undefined;
  return database
    .updateTable("accounts")
    .set({
      ...(policy.data_collection !== undefined ? { data_collection: policy.data_collection } : {}),
      ...(policy.zdr !== undefined ? { zdr: policy.zdr } : {}),
    })
    .where("id", "=", accountId)
    .returningAll()
    .executeTakeFirst();
}
