import {
  authenticateKeyRequestSchema,
  gatewayError,
  gatewayErrorCodes,
  SwitchboardError,
  type AuthenticatedKey,
  type AuthenticateKeyRequest,
  type Subjects,
} from "@switchboard/contracts";
import { defineEndpoint, type EndpointDefinition } from "@switchboard/messaging";
import { findKeyByHash, rateLimitOfKey } from "../repositories/api-keys.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";

/** The key behind a SHA-256 hash. Unknown and disabled keys get the same 401, which never echoes the hash. */
export async function authenticateKey(database: DatabaseExecutor, request: AuthenticateKeyRequest): Promise<AuthenticatedKey> {
  const key = await findKeyByHash(database, request.keyHash);
  if (!key) throw new SwitchboardError(gatewayError(gatewayErrorCodes.unauthorized, 401, "Invalid API key"));
  return {
    keyId: key.id,
    keyHash: key.key_hash,
    accountId: key.account_id,
    name: key.name,
    dataPolicy: { data_collection: key.data_collection, zdr: key.zdr },
    management: key.management,
    spendingLimited: key.limit_micros !== null,
    rateLimit: rateLimitOfKey(key),
  };
}

export function authenticateKeyEndpoint(dependencies: { database: DatabaseExecutor; subjects: Subjects }): EndpointDefinition {
  return defineEndpoint({
    subject: dependencies.subjects.billingAuthenticateKey,
    requestSchema: authenticateKeyRequestSchema,
    handler: (request) => authenticateKey(dependencies.database, request),
  });
}
