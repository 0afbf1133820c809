import type { AccountDataPolicy, AdminAction, AdminCaller } from "@switchboard/contracts";
import type { AdminAuditRow } from "@switchboard/db";
import type { DatabaseExecutor } from "./database-executor.js";

/** One admin operation to audit: what was done, to which account and key, by whom. */
export interface AdminActionRecord {
  action: AdminAction;
  caller: AdminCaller;
  accountId: string | null;
  keyId?: string;
  amountMicros?: number;
  /** The account's data policy after a `set-account-policy`. */
  dataPolicy?: AccountDataPolicy;
}

/**
 * Writes the audit row of an admin operation. Callers pass the transaction the operation runs in, so the
 * change and its audit row commit together or not at all.
 */
export async function recordAdminAction(database: DatabaseExecutor, record: AdminActionRecord): Promise<void> {
  await database
    .insertInto("admin_audit")
    .values({
      action: record.action,
      actor: record.caller.actor,
      client_address: record.caller.clientAddress,
      account_id: record.accountId,
      key_id: record.keyId ?? null,
      amount_micros: record.amountMicros ?? null,
      data_policy: record.dataPolicy ? JSON.stringify(record.dataPolicy) : null,
      request_id: record.caller.requestId,
    })
    .execute();
}

/** An audit row with the hash of its key, the id the admin API and CLI show for keys. */
export type AdminAuditListing = AdminAuditRow & { key_hash: string | null };

/** The newest `limit` audited admin operations, newest first. */
export function listAdminActions(database: DatabaseExecutor, limit: number): Promise<AdminAuditListing[]> {
  return database
    .selectFrom("admin_audit")
    .leftJoin("api_keys", "api_keys.id", "admin_audit.key_id")
    .selectAll("admin_audit")
    .select("api_keys.key_hash")
    .orderBy("admin_audit.created_at", "desc")
    .orderBy("admin_audit.id", "desc")
    .limit(limit)
    .execute();
}
