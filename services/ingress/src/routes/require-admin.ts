import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import type { FastifyRequest } from "fastify";
import { isAdminKey, readBearerToken } from "../plugins/authenticate.js";

/**
 * The admin API's check, shared by every admin route file: the request must carry SWITCHBOARD_ADMIN_KEY
 * as its bearer token; 403 otherwise, and 403 for everyone when the ingress has no admin key set.
 */
export function createRequireAdmin(adminKey: string | undefined): (request: FastifyRequest) => void {
  return (request) => {
    const token = readBearerToken(request);
    if (!adminKey) {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.forbidden, 403, "The admin API is disabled: set SWITCHBOARD_ADMIN_KEY on the ingress."));
    }
    if (!isAdminKey(token, adminKey)) {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.forbidden, 403, "Only the admin key (SWITCHBOARD_ADMIN_KEY) can perform this operation."));
    }
  };
}
