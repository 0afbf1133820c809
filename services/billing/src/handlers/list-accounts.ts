import { listAccountsRequestSchema, type ListAccountsReply, type ListAccountsRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentAccount } from "../present-account.js";
import { listAccounts } from "../repositories/account-listing.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";

/** A page of accounts with their balance, reserved and leased credit, oldest first, for the admin API. */
export async function listAccountsReply(database: DatabaseExecutor, request: ListAccountsRequest): Promise<ListAccountsReply> {
  const page = await listAccounts(database, { limit: request.limit, cursor: request.cursor });
  return { data: page.accounts.map(presentAccount), next_cursor: page.nextCursor };
}

export function listAccountsEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingListAccounts,
    requestSchema: listAccountsRequestSchema,
    handler: (request) => listAccountsReply(dependencies.database, request),
  });
}
