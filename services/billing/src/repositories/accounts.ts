import type { AccountDataPolicy } from "@switchboard/contracts";
import type { AccountRow } from "@switchboard/db";
import { inTransaction, isUuid, type DatabaseExecutor } from "./database-executor.js";
import { recordCustomerLedgerTransaction } from "./ledger-transactions.js";

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
 * Adds credit: a `grant` ledger transaction from `funding` and the balance change commit together, so the
 * balance always equals the sum of the account's postings. Undefined when the account does not exist.
 */
export async function grantCredits(
  database: DatabaseExecutor,
  accountId: string,
  amountMicros: number,
  reason: string | null = null,
): Promise<AccountRow | undefined> {
  if (!Number.isSafeInteger(amountMicros) || amountMicros <= 0) {
    throw new RangeError(`A grant must be a positive whole number of micro-dollars, got ${amountMicros}`);
  }
  const moved = await moveCredits(database, { kind: "grant", accountId, amountMicros, reason });
  return moved.outcome === "moved" ? moved.account : undefined;
}

/** What `moveCredits` did. */
export type CreditMovement =
  | { outcome: "moved"; account: AccountRow; transactionId: number }
  | { outcome: "account-not-found" }
  /** A negative amount larger than the account's available credit (balance − reserved − leased). */
  | { outcome: "exceeds-available"; account: AccountRow };

/**
 * Moves credit between the account and `funding` (a grant, or an adjustment either way) as one ledger
 * transaction with its reason, and moves the cached balance by the same amount, in one database
 * transaction. A negative adjustment never takes the balance below what reservations and leases hold:
 * that credit is promised to generations already running.
 */
export async function moveCredits(
  database: DatabaseExecutor,
  movement: { kind: "grant" | "adjustment"; accountId: string; amountMicros: number; reason: string | null },
): Promise<CreditMovement> {
  if (!Number.isSafeInteger(movement.amountMicros) || movement.amountMicros === 0) {
    throw new RangeError(`A credit movement must be a non-zero whole number of micro-dollars, got ${movement.amountMicros}`);
  }
  if (!isUuid(movement.accountId)) return { outcome: "account-not-found" };
  return inTransaction(database, async (transaction) => {
    const account = await transaction
      .updateTable("accounts")
      .set((expression) => ({ balance_micros: expression("balance_micros", "+", movement.amountMicros) }))
      .where("id", "=", movement.accountId)
      .where((expression) =>
        movement.amountMicros > 0
          ? expression.lit(true)
          : expression(expression("balance_micros", "+", movement.amountMicros), ">=", expression("reserved_micros", "+", expression.ref("leased_micros"))),
      )
      .returningAll()
      .executeTakeFirst();
    if (!account) {
      const existing = await getAccount(transaction, movement.accountId);
      return existing ? { outcome: "exceeds-available", account: existing } : { outcome: "account-not-found" };
    }
    const transactionId = await recordCustomerLedgerTransaction(transaction, {
      kind: movement.kind,
      accountId: movement.accountId,
      amountMicros: movement.amountMicros,
      systemAccount: "funding",
      reason: movement.reason,
    });
    return { outcome: "moved", account, transactionId };
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
