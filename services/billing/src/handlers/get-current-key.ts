import {
  gatewayError,
  gatewayErrorCodes,
  getCurrentKeyRequestSchema,
  SwitchboardError,
  type CurrentKeyReply,
  type GetCurrentKeyRequest,
  type Subjects,
  presentRateLimit,
} from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { getAccountCredits } from "../repositories/account-credits.js";
import { findLiveKeyByHash, rateLimitOfKey } from "../repositories/api-keys.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { getKeyUsage } from "../repositories/key-usage.js";
import { presentKeySpending } from "../present-key-spending.js";

/**
 * OpenRouter's `GET /key`: the calling key's label, limit and usage. Ingress authenticated the key already; a key
 * disabled or deleted since then gets the same 401 as at authentication.
 */
export async function getCurrentKeyReply(database: DatabaseExecutor, request: GetCurrentKeyRequest): Promise<CurrentKeyReply> {
  const row = await findLiveKeyByHash(database, { keyHash: request.keyHash });
  if (!row || row.disabled) throw new SwitchboardError(gatewayError(gatewayErrorCodes.unauthorized, 401, "Invalid API key"));
  const usage = await getKeyUsage(database, row.id);
  const credits = await getAccountCredits(database, row.account_id);
  return {
    data: {
      label: row.label,
      ...presentKeySpending(row, usage),
      // OpenRouter: a free-tier key's account never purchased credits; here, was never granted any.
      is_free_tier: credits.grantedMicros === 0,
      is_management_key: row.management,
      is_provisioning_key: false,
      creator_user_id: null,
      expires_at: null,
      // The key's own limit; ingress, which alone knows its default, puts that in for a key without one.
      rate_limit: presentRateLimit(rateLimitOfKey(row)),
    },
  };
}

export function getCurrentKeyEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingGetCurrentKey,
    requestSchema: getCurrentKeyRequestSchema,
    handler: (request) => getCurrentKeyReply(dependencies.database, request),
  });
}
