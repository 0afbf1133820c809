import { adminActions, deleteKeyRequestSchema, keyChanges, type DeleteKeyReply, type DeleteKeyRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import { recordAdminAction } from "../repositories/admin-audit.js";
import { markKeyDeleted } from "../repositories/api-keys.js";
import { announceKeyChanges, recordKeyChanges } from "../outbox/record-key-changes.js";
import { inTransaction, type DatabaseExecutor } from "../repositories/database-executor.js";
import { keyNotFound } from "./key-not-found.js";

/**
 * OpenRouter's `DELETE /keys/{hash}`: the key authenticates like an unknown one from now on. Its row stays
 * (marked deleted) for the reservations, generations and audit rows that refer to it. The deletion and its
 * audit row commit together; the announcement follows, so no ingress keeps serving the key from memory.
 * Deleting a deleted key is a 404, like any hash that names no key, and so is another account's key when a
 * management key asks.
 */
export async function deleteKeyReply(
  dependencies: { database: DatabaseExecutor; keyChangePublisher: KeyChangePublisher },
  request: DeleteKeyRequest,
): Promise<DeleteKeyReply> {
  let outboxIds: number[] = [];
  const row = await inTransaction(dependencies.database, async (transaction) => {
    const deleted = await markKeyDeleted(transaction, request);
    if (!deleted) throw keyNotFound(request.keyHash);
    await recordAdminAction(transaction, { action: adminActions.deleteKey, caller: request.caller, accountId: deleted.account_id, keyId: deleted.id });
    outboxIds = await recordKeyChanges(transaction, [{ keyHash: deleted.key_hash, change: keyChanges.deleted }]);
    return deleted;
  });
  await announceKeyChanges(dependencies.database, dependencies.keyChangePublisher, [{ keyHash: row.key_hash, change: keyChanges.deleted }], outboxIds);
  return { deleted: true };
}

export function deleteKeyEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects; keyChangePublisher: KeyChangePublisher }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingDeleteKey,
    requestSchema: deleteKeyRequestSchema,
    handler: (request) => deleteKeyReply(dependencies, request),
  });
}
