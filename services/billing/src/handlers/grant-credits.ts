import { grantCreditsRequestSchema, type Account, type GrantCreditsRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentAccount } from "../present-account.js";
import { grantCredits } from "../repositories/accounts.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

export async function grantCreditsReply(database: DatabaseExecutor, request: GrantCreditsRequest): Promise<{ data: Account }> {
  const account = await grantCredits(database, request.accountId, request.amountMicros);
  if (!account) throw accountNotFound(request.accountId);
  return { data: presentAccount(account) };
}

export function grantCreditsEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingGrantCredits,
    requestSchema: grantCreditsRequestSchema,
    handler: (request) => grantCreditsReply(dependencies.database, request),
  });
}
