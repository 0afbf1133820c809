import { adminActions, createKeyRequestSchema, keyChanges, type CreateKeyReply, type CreateKeyRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import { announceKeyChanges, recordKeyChanges } from "../outbox/record-key-changes.js";
import { presentKeyRecord } from "../present-key-record.js";
import { recordAdminAction } from "../repositories/admin-audit.js";
import { createApiKey } from "../repositories/api-keys.js";
import { inTransaction, type DatabaseExecutor } from "../repositories/database-executor.js";
import { noKeyUsage } from "../repositories/key-usage.js";
import { accountNotFound } from "./account-not-found.js";

/**
 * Creates a key (an inference key, or a management key when asked; ingress lets only the admin ask for
 * one), with a spending limit when asked; the reply is the only place its secret ever appears. The creation is announced like
 * every key change: an ingress that briefly remembered this hash as unknown forgets that at once. The
 * key and its audit row commit together; the announcement follows the commit.
 */
export async function createKeyReply(database: DatabaseExecutor, request: CreateKeyRequest, keyChangePublisher: KeyChangePublisher): Promise<CreateKeyReply> {
  let outboxIds: number[] = [];
  const created = await inTransaction(database, async (transaction) => {
    const limit = { limitMicros: request.limitMicros ?? null, limitReset: request.limitReset ?? null };
    const key = await createApiKey(transaction, request.accountId, request.name, request.management === true, limit, request.rateLimit ?? null);
    // Thrown inside the transaction, so it rolls back (an unknown account fails the insert).
    if (!key) throw accountNotFound(request.accountId);
    const action = key.record.management ? adminActions.createManagementKey : adminActions.createKey;
    await recordAdminAction(transaction, { action, caller: request.caller, accountId: key.record.account_id, keyId: key.record.id });
    outboxIds = await recordKeyChanges(transaction, [{ keyHash: key.record.key_hash, change: keyChanges.created }]);
    return key;
  });
  await announceKeyChanges(database, keyChangePublisher, [{ keyHash: created.record.key_hash, change: keyChanges.created }], outboxIds);
  return { data: presentKeyRecord(created.record, noKeyUsage), key: created.secret };
}

export function createKeyEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects; keyChangePublisher: KeyChangePublisher }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingCreateKey,
    requestSchema: createKeyRequestSchema,
    handler: (request) => createKeyReply(dependencies.database, request, dependencies.keyChangePublisher),
  });
}
