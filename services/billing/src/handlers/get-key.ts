import { getKeyRequestSchema, type GetKeyRequest, type KeyReply, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentKeyRecord } from "../present-key-record.js";
import { findLiveKeyByHash } from "../repositories/api-keys.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { getKeyUsage } from "../repositories/key-usage.js";
import { keyNotFound } from "./key-not-found.js";

/** One key by its hash, enabled or disabled; a deleted key, or one outside the managed account, is not found. */
export async function getKeyReply(database: DatabaseExecutor, request: GetKeyRequest): Promise<KeyReply> {
  const row = await findLiveKeyByHash(database, request);
  if (!row) throw keyNotFound(request.keyHash);
  return { data: presentKeyRecord(row, await getKeyUsage(database, row.id)) };
}

export function getKeyEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingGetKey,
    requestSchema: getKeyRequestSchema,
    handler: (request) => getKeyReply(dependencies.database, request),
  });
}
