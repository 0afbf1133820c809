import { gatewayError, gatewayErrorCodes, quoteUserText, SwitchboardError } from "@switchboard/contracts";

/** The 404 every account operation answers for an id that names no account. */
export function accountNotFound(accountId: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.notFound, 404, `Account ${quoteUserText(accountId)} not found. Check the id, or create the account first.`),
  );
}
