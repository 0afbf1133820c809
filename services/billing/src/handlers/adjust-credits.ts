import {
  adjustCreditsRequestSchema,
  adminActions,
  formatMicrosAsUsd,
  gatewayError,
  gatewayErrorCodes,
  SwitchboardError,
  type Account,
  type AdjustCreditsRequest,
  type Subjects,
} from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { presentAccount } from "../present-account.js";
import { moveCredits } from "../repositories/accounts.js";
import { recordAdminAction } from "../repositories/admin-audit.js";
import { inTransaction, type DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

/**
 * Corrects an account's credit by a signed amount with a reason: an `adjustment` ledger transaction against
 * `funding`, the balance moved by the same amount and the audit row, in one transaction. A negative
 * adjustment larger than the available credit is refused (409): reservations and leases hold the rest.
 */
export async function adjustCreditsReply(database: DatabaseExecutor, request: AdjustCreditsRequest): Promise<{ data: Account }> {
  const account = await inTransaction(database, async (transaction) => {
    const moved = await moveCredits(transaction, { kind: "adjustment", accountId: request.accountId, amountMicros: request.amountMicros, reason: request.reason });
    if (moved.outcome === "account-not-found") throw accountNotFound(request.accountId);
    if (moved.outcome === "exceeds-available") {
      const available = moved.account.balance_micros - moved.account.reserved_micros - moved.account.leased_micros;
      throw new SwitchboardError(
        gatewayError(
          gatewayErrorCodes.invalidRequest,
          409,
          `The adjustment of ${formatMicrosAsUsd(request.amountMicros)} USD exceeds the account's available credit of ${formatMicrosAsUsd(available)} USD (the rest is held by running generations); adjust by at most that, or try again once they settle.`,
        ),
      );
    }
    await recordAdminAction(transaction, { action: adminActions.adjustCredits, caller: request.caller, accountId: moved.account.id, amountMicros: request.amountMicros });
    return moved.account;
  });
  return { data: presentAccount(account) };
}

export function adjustCreditsEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingAdjustCredits,
    requestSchema: adjustCreditsRequestSchema,
    handler: (request) => adjustCreditsReply(dependencies.database, request),
  });
}
