import { keyListingPageSize, listKeysRequestSchema, type ListKeysReply, type ListKeysRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentKeyRecord } from "../present-key-record.js";
import { getAccount } from "../repositories/accounts.js";
import { listAccountKeys } from "../repositories/api-keys.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { getKeyUsage } from "../repositories/key-usage.js";
import { accountNotFound } from "./account-not-found.js";

/** One page of an account's keys in OpenRouter's list shape; an unknown account is a 404, not an empty list. */
export async function listKeysReply(database: DatabaseExecutor, request: ListKeysRequest): Promise<ListKeysReply> {
  if (!(await getAccount(database, request.accountId))) throw accountNotFound(request.accountId);
  const rows = await listAccountKeys(database, { ...request, limit: keyListingPageSize });
  const data = [];
  // At most one page (100 keys), each a single indexed aggregate: not worth a harder-to-read grouped query.
  for (const row of rows) data.push(presentKeyRecord(row, await getKeyUsage(database, row.id)));
  return { data };
}

export function listKeysEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingListKeys,
    requestSchema: listKeysRequestSchema,
    handler: (request) => listKeysReply(dependencies.database, request),
  });
}
