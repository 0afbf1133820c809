import type { AccountRow, ApiKeyRow } from "@switchboard/db";
import { sql } from "kysely";
import { generateApiKeySecret, hashApiKey, labelApiKey } from "./api-key-secret.js";
import { isForeignKeyViolation, isUuid, type DatabaseExecutor } from "./database-executor.js";

/** A key just created: the stored record, and the secret that exists nowhere else from now on. */
export interface CreatedApiKey {
  record: ApiKeyRow;
  secret: string;
}

/**
 * Creates a key for the account. Only the SHA-256 of the secret and a masked label are stored; the
 * secret is returned once, to be shown to the user. Undefined when the account does not exist.
 */
export async function createApiKey(
  database: DatabaseExecutor,
  accountId: string,
  name: string,
): Promise<CreatedApiKey | undefined> {
  if (!isUuid(accountId)) return undefined;
  const secret = generateApiKeySecret();
  try {
    const record = await database
      .insertInto("api_keys")
      .values({ account_id: accountId, name, key_hash: hashApiKey(secret), label: labelApiKey(secret) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { record, secret };
  } catch (error) {
    if (isForeignKeyViolation(error)) return undefined;
    throw error;
  }
}

/** A key with its account's data policy, which every request made with the key must honour. */
export type ApiKeyWithDataPolicy = ApiKeyRow & Pick<AccountRow, "data_collection" | "zdr">;

/** The enabled key with this SHA-256 hash, with its account's data policy, or undefined. */
export function findKeyByHash(database: DatabaseExecutor, keyHash: string): Promise<ApiKeyWithDataPolicy | undefined> {
  return database
    .selectFrom("api_keys")
    .innerJoin("accounts", "accounts.id", "api_keys.account_id")
    .selectAll("api_keys")
    .select(["accounts.data_collection", "accounts.zdr"])
    .where("api_keys.key_hash", "=", keyHash)
    .where("api_keys.disabled", "=", false)
    .executeTakeFirst();
}

/** The SHA-256 hashes of every key of the account, disabled or not: what to announce when the account changes. */
export async function listAccountKeyHashes(database: DatabaseExecutor, accountId: string): Promise<string[]> {
  if (!isUuid(accountId)) return [];
  const rows = await database.selectFrom("api_keys").select("key_hash").where("account_id", "=", accountId).execute();
  return rows.map((row) => row.key_hash);
}

/**
 * Disables or enables the key with this SHA-256 hash (`updated_at` records when). The updated row, or
 * undefined when no key has this hash.
 */
export function setKeyDisabled(database: DatabaseExecutor, keyHash: string, disabled: boolean): Promise<ApiKeyRow | undefined> {
  return database
    .updateTable("api_keys")
    .set({ disabled, updated_at: sql<Date>`now()` })
    .where("key_hash", "=", keyHash)
    .returningAll()
    .executeTakeFirst();
}

/** Micro-dollars charged to generations made with this key (settled, and late charges after expiry). */
export async function getKeyUsageMicros(database: DatabaseExecutor, keyId: string): Promise<number> {
  if (!isUuid(keyId)) return 0;
  const row = await database
    .selectFrom("reservations")
    .select(sql<number>`coalesce(sum(charged_micros), 0)::bigint`.as("usage_micros"))
    .where("key_id", "=", keyId)
    .executeTakeFirstOrThrow();
  return row.usage_micros;
}
