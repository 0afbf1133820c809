import type { TokenUsage } from "../chat/stream-part.js";

/**
 * Usage when the provider reported none (a stream cancelled or cut off before its usage): about four bytes
 * per token, rounded up, which is what OpenAI-family tokenizers average on English text; never more than
 * the bounds the reservation was made with, so an estimate cannot overdraw. Shared by ingress (its
 * completion fact) and the provider connector (its usage report), so both estimate alike.
 */
export function estimateUsage(promptBytes: number, outputBytes: number, maximumCompletionTokens: number): TokenUsage {
  return {
    // ceil(bytes / 4) never exceeds the byte count the reservation used as its prompt bound.
    promptTokens: Math.ceil(promptBytes / 4),
    completionTokens: Math.min(Math.ceil(outputBytes / 4), maximumCompletionTokens),
    cachedPromptTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}
