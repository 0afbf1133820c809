import { createKeyRequestSchema, keyChanges, type CreateKeyReply, type CreateKeyRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import { presentKeyRecord } from "../present-key-record.js";
import { createApiKey } from "../repositories/api-keys.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

/**
 * Creates a key; the reply is the only place its secret ever appears. The creation is announced like
 * every key change: an ingress that briefly remembered this hash as unknown forgets that at once.
 */
export async function createKeyReply(database: DatabaseExecutor, request: CreateKeyRequest, keyChangePublisher: KeyChangePublisher): Promise<CreateKeyReply> {
  const created = await createApiKey(database, request.accountId, request.name);
  if (!created) throw accountNotFound(request.accountId);
  await keyChangePublisher.publish({ keyHash: created.record.key_hash, change: keyChanges.created });
  return { data: presentKeyRecord(created.record, 0), key: created.secret };
}

export function createKeyEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects; keyChangePublisher: KeyChangePublisher }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingCreateKey,
    requestSchema: createKeyRequestSchema,
    handler: (request) => createKeyReply(dependencies.database, request, dependencies.keyChangePublisher),
  });
}
