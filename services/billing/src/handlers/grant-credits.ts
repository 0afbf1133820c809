import { adminActions, grantCreditsRequestSchema, type Account, type GrantCreditsRequest, type Subjects } from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentAccount } from "../present-account.js";
import { grantCredits } from "../repositories/accounts.js";
import { recordAdminAction } from "../repositories/admin-audit.js";
import { inTransaction, type DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

/** Grants credits and audits the grant, in one transaction (with the ledger transaction, its reason and the balance). */
export async function grantCreditsReply(database: DatabaseExecutor, request: GrantCreditsRequest): Promise<{ data: Account }> {
  const account = await inTransaction(database, async (transaction) => {
    const granted = await grantCredits(transaction, request.accountId, request.amountMicros, request.reason ?? null);
    if (!granted) throw accountNotFound(request.accountId);
    await recordAdminAction(transaction, { action: adminActions.grantCredits, caller: request.caller, accountId: granted.id, amountMicros: request.amountMicros });
    return granted;
  });
  return { data: presentAccount(account) };
}

export function grantCreditsEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingGrantCredits,
    requestSchema: grantCreditsRequestSchema,
    handler: (request) => grantCreditsReply(dependencies.database, request),
  });
}
