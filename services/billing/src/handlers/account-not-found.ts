import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";

/** The 404 every account operation answers for an id that names no account. */
export function accountNotFound(accountId: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.notFound, 404, `Account ${JSON.stringify(accountId)} not found. Check the id, or create the account first.`),
  );
}
