import { adminActions, createAccountRequestSchema, type Account, type CreateAccountRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentAccount } from "../present-account.js";
import { createAccount } from "../repositories/accounts.js";
import { recordAdminAction } from "../repositories/admin-audit.js";
import { inTransaction, type DatabaseExecutor } from "../repositories/database-executor.js";

/** Opens an account and audits it, in one transaction. */
export async function createAccountReply(database: DatabaseExecutor, request: CreateAccountRequest): Promise<{ data: Account }> {
  const account = await inTransaction(database, async (transaction) => {
    const created = await createAccount(transaction, request.name);
    await recordAdminAction(transaction, { action: adminActions.createAccount, caller: request.caller, accountId: created.id });
    return created;
  });
  return { data: presentAccount(account) };
}

export function createAccountEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingCreateAccount,
    requestSchema: createAccountRequestSchema,
    handler: (request) => createAccountReply(dependencies.database, request),
  });
}
