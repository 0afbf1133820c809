import {
  adminActions,
  gatewayError,
  gatewayErrorCodes,
  keyChanges,
  setAccountDataPolicyRequestSchema,
  SwitchboardError,
  type Account,
  type SetAccountDataPolicyRequest,
  type Subjects,
} from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import { presentAccount } from "../present-account.js";
import { setAccountDataPolicy } from "../repositories/accounts.js";
import { recordAdminAction } from "../repositories/admin-audit.js";
import { listAccountKeyHashes } from "../repositories/api-keys.js";
import { announceKeyChanges, recordKeyChanges } from "../outbox/record-key-changes.js";
import { inTransaction, type DatabaseExecutor } from "../repositories/database-executor.js";
import { accountNotFound } from "./account-not-found.js";

/**
 * Changes an account's data policy and audits it in one transaction, then announces every key of the
 * account as updated: ingress caches each key with its account's policy, so without the announcements a
 * running ingress would route by the old policy until its key cache expired. Idempotent: setting the
 * same policy again announces again, which is how an operator applies a change whose announcement was lost.
 */
export async function setAccountDataPolicyReply(
  dependencies: { database: DatabaseExecutor; keyChangePublisher: KeyChangePublisher },
  request: SetAccountDataPolicyRequest,
): Promise<{ data: Account }> {
  if (request.data_collection === undefined && request.zdr === undefined) {
    throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "Give data_collection (\"allow\" or \"deny\"), zdr (true or false), or both."));
  }
  let outboxIds: number[] = [];
  const account = await inTransaction(dependencies.database, async (transaction) => {
    const changed = await setAccountDataPolicy(transaction, request.accountId, {
      ...(request.data_collection !== undefined ? { data_collection: request.data_collection } : {}),
      ...(request.zdr !== undefined ? { zdr: request.zdr } : {}),
    });
    if (!changed) throw accountNotFound(request.accountId);
    await recordAdminAction(transaction, {
      action: adminActions.setAccountPolicy,
      caller: request.caller,
      accountId: changed.id,
      dataPolicy: { data_collection: changed.data_collection, zdr: changed.zdr },
    });
    const committedKeys = await listAccountKeyHashes(transaction, changed.id);
    outboxIds = await recordKeyChanges(transaction, committedKeys.map((keyHash) => ({ keyHash, change: keyChanges.updated })));
    return changed;
  });
  // Listed after the commit, not in the transaction: a key whose creation committed while this one ran (not
  // visible to it) may have been authenticated with the old policy, and is announced too. A key committed
  // after this list is authenticated after the policy's commit, with the new policy.
  const keyHashes = await listAccountKeyHashes(dependencies.database, account.id);
  await announceKeyChanges(dependencies.database, dependencies.keyChangePublisher, keyHashes.map((keyHash) => ({ keyHash, change: keyChanges.updated })), outboxIds);
  return { data: presentAccount(account) };
}

export function setAccountDataPolicyEndpoint(dependencies: {
  database: DatabaseExecutor;
  subjects: Subjects;
  keyChangePublisher: KeyChangePublisher;
}): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingSetAccountDataPolicy,
    requestSchema: setAccountDataPolicyRequestSchema,
    handler: (request) => setAccountDataPolicyReply(dependencies, request),
  });
}
