import { adminActions, keyChanges, keyHashSchema, type AdminCaller, type KeyRecord } from "@switchboard/contracts";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import { announceKeyChanges, recordKeyChanges } from "../outbox/record-key-changes.js";
import { presentKeyRecord } from "../present-key-record.js";
import { recordAdminAction } from "../repositories/admin-audit.js";
import { setKeyDisabled } from "../repositories/api-keys.js";
import { inTransaction, type DatabaseExecutor } from "../repositories/database-executor.js";
import { getKeyUsage } from "../repositories/key-usage.js";
import { keyNotFound } from "./key-not-found.js";

export interface SetKeyDisabledRequest {
  /** The key's SHA-256 hash, as key listings show it. */
  keyHash: string;
  disabled: boolean;
  /** Who asked, for the audit record. */
  caller: AdminCaller;
}

/**
 * Disables (or enables again) a key and announces it, so every ingress refuses (or accepts) it from
 * its next request on instead of when its key cache would have expired. Idempotent: doing it again
 * announces it again, which is how an operator applies a change whose announcement was lost. The change
 * and its audit row commit together; the announcement follows the commit.
 */
export async function setKeyDisabledReply(
  dependencies: { database: DatabaseExecutor; keyChangePublisher: KeyChangePublisher },
  request: SetKeyDisabledRequest,
): Promise<{ data: KeyRecord }> {
  // A malformed hash can name no key; checked here so it never reaches PostgreSQL.
  if (!keyHashSchema.safeParse(request.keyHash).success) throw keyNotFound(request.keyHash);
  const change = request.disabled ? keyChanges.disabled : keyChanges.enabled;
  let outboxIds: number[] = [];
  const row = await inTransaction(dependencies.database, async (transaction) => {
    const changed = await setKeyDisabled(transaction, { keyHash: request.keyHash }, request.disabled);
    if (!changed) throw keyNotFound(request.keyHash);
    const action = request.disabled ? adminActions.disableKey : adminActions.enableKey;
    await recordAdminAction(transaction, { action, caller: request.caller, accountId: changed.account_id, keyId: changed.id });
    outboxIds = await recordKeyChanges(transaction, [{ keyHash: changed.key_hash, change }]);
    return changed;
  });
  await announceKeyChanges(dependencies.database, dependencies.keyChangePublisher, [{ keyHash: row.key_hash, change }], outboxIds);
  return { data: presentKeyRecord(row, await getKeyUsage(dependencies.database, row.id)) };
}
