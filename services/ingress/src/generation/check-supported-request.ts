import { gatewayError, gatewayErrorCodes, quoteUserText, SwitchboardError, type ChatRequest } from "@switchboard/contracts";

/**
 * Refuses what Switchboard cannot yet price with a true upper bound, rather than serving it and risking
 * an overdraft: image, audio, file and video parts (a short URL can cost thousands of tokens) and
 * `n > 1` (only the first choice is relayed, but every choice would be billed).
 */
export function checkSupportedRequest(request: ChatRequest): void {
  const n = (request as Record<string, unknown>)["n"];
  if (n !== undefined && n !== null && n !== 1) {
    throw unsupported("n: only one choice per request is supported; send n: 1 or leave it out.", "n");
  }
  request.messages.forEach((message, index) => {
    if (!Array.isArray(message.content)) return;
    for (const part of message.content) {
      if (part.type !== "text") {
        throw unsupported(
          `messages.${index}.content: ${quoteUserText(part.type, 40)} parts are not supported yet; send text parts only.`,
          `messages.${index}.content`,
        );
      }
    }
  });
}

function unsupported(message: string, parameter: string): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.unsupportedParameter, 400, message, { metadata: { parameter } }));
}
