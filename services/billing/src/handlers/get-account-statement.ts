import { accountStatementRequestSchema, type AccountStatementReply, type AccountStatementRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { readAccountStatement } from "../repositories/account-statement.js";
import { getAccount } from "../repositories/accounts.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

/** A page of the account's statement (postings newest first, with running balance), for the admin API. */
export async function getAccountStatementReply(database: DatabaseExecutor, request: AccountStatementRequest): Promise<AccountStatementReply> {
  if (!(await getAccount(database, request.accountId))) throw accountNotFound(request.accountId);
  const page = await readAccountStatement(database, { accountId: request.accountId, limit: request.limit, before: request.before });
  return {
    data: page.lines.map((line) => ({ ...line, created_at: line.created_at.toISOString() })),
    next_before: page.nextBefore,
  };
}

export function getAccountStatementEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingGetAccountStatement,
    requestSchema: accountStatementRequestSchema,
    handler: (request) => getAccountStatementReply(dependencies.database, request),
  });
}
