import { gatewayError, gatewayErrorCodes, quoteUserText, SwitchboardError } from "@switchboard/contracts";

/** The 404 every key operation answers for a hash that names no key. */
export function keyNotFound(keyHash: string): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.notFound, 404, `Key ${quoteUserText(keyHash)} not found. Check the hash: it is the \`hash\` shown when the key was created.`),
  );
}
