import { createKeyRequestSchema, type CreateKeyReply, type CreateKeyRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentKeyRecord } from "../present-key-record.js";
import { createApiKey } from "../repositories/api-keys.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

/** Creates a key; the reply is the only place its secret ever appears. */
export async function createKeyReply(database: DatabaseExecutor, request: CreateKeyRequest): Promise<CreateKeyReply> {
  const created = await createApiKey(database, request.accountId, request.name);
  if (!created) throw accountNotFound(request.accountId);
  return { data: presentKeyRecord(created.record, 0), key: created.secret };
}

export function createKeyEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingCreateKey,
    requestSchema: createKeyRequestSchema,
    handler: (request) => createKeyReply(dependencies.database, request),
  });
}
