import { gatewayError, gatewayErrorCodes, quoteUserText, SwitchboardError, type ChatRequest } from "@switchboard/contracts";

/**
 * The most prompt tokens one input image can cost at any provider Switchboard routes to, added to the
 * prompt bound per image because an image's bytes say nothing of its tokens (a short URL, or a tiny data
 * URI billed at a provider's fixed minimum). Above the largest documented per-image counts: OpenAI's
 * patch-based models bill at most 1,536 patches × 1.72 ≈ 2,642 tokens
 * (https://platform.openai.com/docs/guides/images-vision#calculating-costs), its tiled models 1,105,
 * Anthropic about 1,600 (https://docs.anthropic.com/en/docs/build-with-claude/vision#evaluate-image-size),
 * Gemini 258 per 768-pixel tile and at most 2,240 at its highest media resolution.
 */
export const maximumImagePromptTokens = 5_000;

/**
 * Refuses what Switchboard cannot yet price with a true upper bound, rather than serving it and risking
 * an overdraft: audio, file and video parts (their token cost has no bound we know) and `n > 1` (only the
 * first choice is relayed, but every choice would be billed). Image parts are served: routing already
 * kept only endpoints whose model takes image input, and each is bounded by `maximumImagePromptTokens`.
 */
export function checkSupportedRequest(request: ChatRequest): void {
  const n = (request as Record<string, unknown>)["n"];
  if (n !== undefined && n !== null && n !== 1) {
    throw unsupported("n: only one choice per request is supported; send n: 1 or leave it out.", "n");
  }
  request.messages.forEach((message, index) => {
    if (!Array.isArray(message.content)) return;
    for (const part of message.content) {
      if (part.type === "text" || part.type === "image_url") continue;
      throw unsupported(
        `messages.${index}.content: ${quoteUserText(part.type, 40)} parts are not supported yet; send text and image_url parts only.`,
        `messages.${index}.content`,
      );
    }
  });
}

function unsupported(message: string, parameter: string): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.unsupportedParameter, 400, message, { metadata: { parameter } }));
}
