import {
  adminActions,
  gatewayError,
  gatewayErrorCodes,
  keyChanges,
  SwitchboardError,
  updateKeyRequestSchema,
  type KeyReply,
  type Subjects,
  type UpdateKeyRequest,
} from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { ApiKeyRow } from "@switchboard/db";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import type { LeaseRecaller } from "../lease-recaller.js";
import { presentKeyRecord } from "../present-key-record.js";
import { recordAdminAction } from "../repositories/admin-audit.js";
import { renameKey, setKeyDisabled, setKeyLimit, setKeyRateLimit } from "../repositories/api-keys.js";
import { announceKeyChanges, recordKeyChanges } from "../outbox/record-key-changes.js";
import { inTransaction, type DatabaseExecutor } from "../repositories/database-executor.js";
import { getKeyUsage } from "../repositories/key-usage.js";
import { keyNotFound } from "./key-not-found.js";

/**
 * OpenRouter's `PATCH /keys/{hash}` for the fields Switchboard has: `name`, `disabled`, `limit`,
 * `limit_reset` and `rate_limit`; a management key's request finds only its own account's keys. Each change
 * writes its own audit row (`rename-key`, `disable-key` / `enable-key`, `set-key-limit` for the limit and its
 * reset, `set-key-rate-limit`) in the change's transaction; the change is announced after the commit, so
 * every ingress refuses a disabled key, and holds a newly limited key's generations against its limit, from
 * its next request on.
 *
 * A change that leaves the key with a limit also recalls the account's credit leases, and answers once they
 * are back (or after the recaller's window): generations an ingress holds against a lease have no
 * reservation row until they settle, so the limit cannot see them, and an ingress that has not heard of
 * the change yet would go on holding the key's generations against its lease. Recalled, the replicas
 * reserve the account's generations exactly (through billing, which finds the limit itself) until they
 * lease again (a second later, by when the change has reached them). What the key's generations already
 * held against a lease at that moment still runs and is charged, and counts against the limit once it
 * settles: the limit can be overshot by at most those holds (README "Keys and limits").
 */
export async function updateKeyReply(
  dependencies: { database: DatabaseExecutor; keyChangePublisher: KeyChangePublisher; recaller?: LeaseRecaller },
  request: UpdateKeyRequest,
): Promise<KeyReply> {
  const { name, disabled, limitMicros, limitReset, rateLimit } = request;
  const limitChanged = limitMicros !== undefined || limitReset !== undefined;
  if (name === undefined && disabled === undefined && !limitChanged && rateLimit === undefined) {
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "Give at least one of `name`, `disabled`, `limit`, `limit_reset` and `rate_limit`."));
  }
  const change = disabled === undefined ? keyChanges.updated : disabled ? keyChanges.disabled : keyChanges.enabled;
  let outboxIds: number[] = [];
  const row = await inTransaction(dependencies.database, async (transaction) => {
    let changed: ApiKeyRow | undefined;
    if (name !== undefined) {
      changed = await renameKey(transaction, request, name);
      if (!changed) throw keyNotFound(request.keyHash);
      await recordAdminAction(transaction, { action: adminActions.renameKey, caller: request.caller, accountId: changed.account_id, keyId: changed.id });
    }
    if (disabled !== undefined) {
      changed = await setKeyDisabled(transaction, request, disabled);
      if (!changed) throw keyNotFound(request.keyHash);
      const action = disabled ? adminActions.disableKey : adminActions.enableKey;
      await recordAdminAction(transaction, { action, caller: request.caller, accountId: changed.account_id, keyId: changed.id });
    }
    if (limitChanged) {
      changed = await setKeyLimit(transaction, request, { limitMicros, limitReset });
      if (!changed) throw keyNotFound(request.keyHash);
      await recordAdminAction(transaction, { action: adminActions.setKeyLimit, caller: request.caller, accountId: changed.account_id, keyId: changed.id });
    }
    if (rateLimit !== undefined) {
      changed = await setKeyRateLimit(transaction, request, rateLimit);
      if (!changed) throw keyNotFound(request.keyHash);
      await recordAdminAction(transaction, { action: adminActions.setKeyRateLimit, caller: request.caller, accountId: changed.account_id, keyId: changed.id });
    }
    if (!changed) throw keyNotFound(request.keyHash);
    outboxIds = await recordKeyChanges(transaction, [{ keyHash: changed.key_hash, change }]);
    return changed;
  });
  await announceKeyChanges(dependencies.database, dependencies.keyChangePublisher, [{ keyHash: row.key_hash, change }], outboxIds);
  if (limitChanged && row.limit_micros !== null) await dependencies.recaller?.recall(row.account_id);
  return { data: presentKeyRecord(row, await getKeyUsage(dependencies.database, row.id)) };
}

export function updateKeyEndpoint(dependencies: {
  database: DatabaseExecutor;
  subjects: Subjects;
  keyChangePublisher: KeyChangePublisher;
  recaller: LeaseRecaller;
}): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingUpdateKey,
    requestSchema: updateKeyRequestSchema,
    handler: (request) => updateKeyReply(dependencies, request),
  });
}
