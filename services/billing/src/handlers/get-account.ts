import { getAccountRequestSchema, type Account, type GetAccountRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentAccount } from "../present-account.js";
import { getAccount } from "../repositories/accounts.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

export async function getAccountReply(database: DatabaseExecutor, request: GetAccountRequest): Promise<{ data: Account }> {
  const account = await getAccount(database, request.accountId);
  if (!account) throw accountNotFound(request.accountId);
  return { data: presentAccount(account) };
}

export function getAccountEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingGetAccount,
    requestSchema: getAccountRequestSchema,
    handler: (request) => getAccountReply(dependencies.database, request),
  });
}
