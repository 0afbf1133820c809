import { gatewayError, gatewayErrorCodes, SwitchboardError, type AdminCaller } from "@switchboard/contracts";
import type { FastifyRequest } from "fastify";
import { isAdminKey, readBearerToken, type KeyAuthenticator } from "../plugins/authenticate.js";
import { adminCallerOf, adminKeyFingerprint, managementKeyCallerOf } from "./admin-caller.js";

/** Who may use the key-management API, and over what. */
export interface KeyManager {
  /** The one account a management key manages; null for the admin key, which manages every account. */
  accountId: string | null;
  /** Who asked, for billing's audit. */
  caller: AdminCaller;
}

/**
 * The check of the key-management routes (`/api/v1/keys`): the admin key (SWITCHBOARD_ADMIN_KEY) manages
 * every account's keys; a management key manages its own account's keys. An inference key gets OpenRouter's
 * 403, an unknown key the usual 401. A management key goes through the same cached authentication as any
 * key, so a disabled or deleted one stops managing on every ingress at once.
 */
export function createAuthorizeKeyManager(options: { adminKey: string | undefined; authenticator: KeyAuthenticator }): (request: FastifyRequest) => Promise<KeyManager> {
  const { adminKey, authenticator } = options;
  const fingerprint = adminKey ? adminKeyFingerprint(adminKey) : "";
  return async (request) => {
    const token = readBearerToken(request);
    if (isAdminKey(token, adminKey)) return { accountId: null, caller: adminCallerOf(request, fingerprint) };
    const key = await authenticator.authenticate(token);
    if (key.management !== true) {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.forbidden, 403, "Only management keys can perform this operation."));
    }
    return { accountId: key.accountId, caller: managementKeyCallerOf(request, key.keyHash) };
  };
}
