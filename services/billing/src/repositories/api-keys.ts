import type { KeyRateLimit } from "@switchboard/contracts";
import type { AccountRow, ApiKeyRow, KeyLimitReset } from "@switchboard/db";
import { sql, type RawBuilder } from "kysely";
import { generateApiKeySecret, hashApiKey, labelApiKey } from "./api-key-secret.js";
import { isForeignKeyViolation, isUuid, type DatabaseExecutor } from "./database-executor.js";
import { getKeyUsage } from "./key-usage.js";

/** A key just created: the stored record, and the secret that exists nowhere else from now on. */
export interface CreatedApiKey {
  record: ApiKeyRow;
  secret: string;
}

/** A key's spending limit: micro-dollars (null: none) per period (null: on all usage). */
export interface KeyLimit {
  limitMicros: number | null;
  limitReset: KeyLimitReset | null;
}

/**
 * Creates a key for the account: an inference key, or a management key when asked, with a spending limit
 * when given. Only the SHA-256 of the secret and a masked label are stored; the secret is returned once,
 * to be shown to the user. Undefined when the account does not exist. A null rate limit leaves the key to
 * the ingress default.
 */
export async function createApiKey(
  database: DatabaseExecutor,
  accountId: string,
  name: string,
  management = false,
  limit: KeyLimit = { limitMicros: null, limitReset: null },
  rateLimit: KeyRateLimit | null = null,
): Promise<CreatedApiKey | undefined> {
  if (!isUuid(accountId)) return undefined;
  const secret = generateApiKeySecret();
  try {
    const record = await database
      .insertInto("api_keys")
      .values({
        account_id: accountId,
        name,
        key_hash: hashApiKey(secret),
        label: labelApiKey(secret),
        management,
        limit_micros: limit.limitMicros,
        limit_reset: limit.limitReset,
        ...rateLimitColumns(rateLimit),
      })
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
    .where("api_keys.deleted_at", "is", null)
    .executeTakeFirst();
}

/** The SHA-256 hashes of every key of the account, disabled or not: what to announce when the account changes. */
export async function listAccountKeyHashes(database: DatabaseExecutor, accountId: string): Promise<string[]> {
  if (!isUuid(accountId)) return [];
  const rows = await database.selectFrom("api_keys").select("key_hash").where("account_id", "=", accountId).execute();
  return rows.map((row) => row.key_hash);
}

/**
 * Which key a change or look-up names: its SHA-256 hash and, for a management key's request, the account
 * it manages, so that another account's key is not found, as if unknown.
 */
export interface KeySelector {
  keyHash: string;
  /** Undefined for the admin, who may name any account's key. */
  accountId?: string | undefined;
}

/**
 * Disables or enables the selected key (`updated_at` records when). The updated row, or undefined when no
 * key has this hash (in the managed account) or the key is deleted.
 */
export function setKeyDisabled(database: DatabaseExecutor, key: KeySelector, disabled: boolean): Promise<ApiKeyRow | undefined> {
  return updateLiveKey(database, key, { disabled });
}

/** Sets the selected key's rate limit (null: the ingress default); the updated row, or undefined when no live key matches. */
export function setKeyRateLimit(database: DatabaseExecutor, key: KeySelector, rateLimit: KeyRateLimit | null): Promise<ApiKeyRow | undefined> {
  return updateLiveKey(database, key, rateLimitColumns(rateLimit));
}

/** The key's own rate limit, or null when the ingress default applies. */
export function rateLimitOfKey(row: Pick<ApiKeyRow, "rate_limit_requests" | "rate_limit_interval_seconds">): KeyRateLimit | null {
  if (row.rate_limit_requests === null || row.rate_limit_interval_seconds === null) return null;
  return { requests: row.rate_limit_requests, intervalSeconds: row.rate_limit_interval_seconds };
}

function rateLimitColumns(rateLimit: KeyRateLimit | null): { rate_limit_requests: number | null; rate_limit_interval_seconds: number | null } {
  return { rate_limit_requests: rateLimit?.requests ?? null, rate_limit_interval_seconds: rateLimit?.intervalSeconds ?? null };
}

/** Renames the selected key; the updated row, or undefined when no live key matches. */
export function renameKey(database: DatabaseExecutor, key: KeySelector, name: string): Promise<ApiKeyRow | undefined> {
  return updateLiveKey(database, key, { name });
}

/** Changes the selected key's spending limit, its period or both; the updated row, or undefined when no live key matches. */
export function setKeyLimit(database: DatabaseExecutor, key: KeySelector, limit: Partial<KeyLimit>): Promise<ApiKeyRow | undefined> {
  return updateLiveKey(database, key, {
    ...(limit.limitMicros === undefined ? {} : { limit_micros: limit.limitMicros }),
    ...(limit.limitReset === undefined ? {} : { limit_reset: limit.limitReset }),
  });
}

/**
 * Marks the key deleted: it authenticates like an unknown key from now on, and no listing shows it. The
 * row stays, since reservations, generations and the audit refer to it. Undefined when no live key matches.
 */
export function markKeyDeleted(database: DatabaseExecutor, key: KeySelector): Promise<ApiKeyRow | undefined> {
  return updateLiveKey(database, key, { deleted_at: sql<Date>`now()` });
}

function updateLiveKey(
  database: DatabaseExecutor,
  key: KeySelector,
  change: {
    disabled?: boolean;
    name?: string;
    deleted_at?: RawBuilder<Date>;
    limit_micros?: number | null;
    limit_reset?: KeyLimitReset | null;
    rate_limit_requests?: number | null;
    rate_limit_interval_seconds?: number | null;
  },
): Promise<ApiKeyRow | undefined> {
  let query = database
    .updateTable("api_keys")
    .set({ ...change, updated_at: sql<Date>`now()` })
    .where("key_hash", "=", key.keyHash)
    .where("deleted_at", "is", null);
  if (key.accountId !== undefined) query = query.where("account_id", "=", key.accountId);
  return query.returningAll().executeTakeFirst();
}

/** The selected key, enabled or disabled, unless it is deleted. */
export function findLiveKeyByHash(database: DatabaseExecutor, key: KeySelector): Promise<ApiKeyRow | undefined> {
  let query = database.selectFrom("api_keys").selectAll().where("key_hash", "=", key.keyHash).where("deleted_at", "is", null);
  if (key.accountId !== undefined) query = query.where("account_id", "=", key.accountId);
  return query.executeTakeFirst();
}

/** One page of the account's keys that are not deleted, oldest first; disabled ones only when asked for. */
export function listAccountKeys(
  database: DatabaseExecutor,
  options: { accountId: string; includeDisabled: boolean; offset: number; limit: number },
): Promise<ApiKeyRow[]> {
  let query = database.selectFrom("api_keys").selectAll().where("account_id", "=", options.accountId).where("deleted_at", "is", null);
  if (!options.includeDisabled) query = query.where("disabled", "=", false);
  return query.orderBy("created_at").orderBy("id").offset(options.offset).limit(options.limit).execute();
}

/** Micro-dollars charged to generations made with this key (settled, and late charges after expiry). */
export async function getKeyUsageMicros(database: DatabaseExecutor, keyId: string): Promise<number> {
  return (await getKeyUsage(database, keyId)).totalMicros;
}
