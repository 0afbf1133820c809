import { getCreditsRequestSchema, microsToUsdNumber, type CreditsReply, type GetCreditsRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { getAccountCredits } from "../repositories/account-credits.js";
import { getAccount } from "../repositories/accounts.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

/** OpenRouter's `GET /credits`: USD ever granted to the account and ever charged to it, from the ledger. */
export async function getCreditsReply(database: DatabaseExecutor, request: GetCreditsRequest): Promise<CreditsReply> {
  if (!(await getAccount(database, request.accountId))) throw accountNotFound(request.accountId);
  const credits = await getAccountCredits(database, request.accountId);
  return { data: { total_credits: microsToUsdNumber(credits.grantedMicros), total_usage: microsToUsdNumber(credits.chargedMicros) } };
}

export function getCreditsEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingGetCredits,
    requestSchema: getCreditsRequestSchema,
    handler: (request) => getCreditsReply(dependencies.database, request),
  });
}
