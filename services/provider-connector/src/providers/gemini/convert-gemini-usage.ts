import type { TokenUsage } from "@switchboard/contracts";
import type { GeminiUsageMetadata } from "./gemini-api-schemas.js";

/**
 * Gemini `usageMetadata` in OpenAI's terms (https://ai.google.dev/api/generate-content#UsageMetadata):
 * `promptTokenCount` already includes the cached tokens; `candidatesTokenCount` leaves out the thinking
 * tokens, which OpenAI counts inside `completion_tokens`, so they are added and also reported as reasoning.
 * Undefined without a prompt count, so ingress estimates rather than bills the prompt as free.
 */
export function convertGeminiUsage(usage: GeminiUsageMetadata | null | undefined): TokenUsage | undefined {
  const promptTokens = usage?.promptTokenCount;
  if (promptTokens === null || promptTokens === undefined) return undefined;
  const thoughts = usage?.thoughtsTokenCount ?? 0;
  return {
    promptTokens,
    completionTokens: (usage?.candidatesTokenCount ?? 0) + thoughts,
    cachedPromptTokens: usage?.cachedContentTokenCount ?? 0,
    // Gemini bills cache storage by the hour, not per token written: no prompt token is a cache write.
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}
