import { createAccountRequestSchema, type Account, type CreateAccountRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentAccount } from "../present-account.js";
import { createAccount } from "../repositories/accounts.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";

export async function createAccountReply(database: DatabaseExecutor, request: CreateAccountRequest): Promise<{ data: Account }> {
  return { data: presentAccount(await createAccount(database, request.name)) };
}

export function createAccountEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingCreateAccount,
    requestSchema: createAccountRequestSchema,
    handler: (request) => createAccountReply(dependencies.database, request),
  });
}
