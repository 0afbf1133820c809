import type { TokenUsage } from "@switchboard/contracts";
import type { OpenAIUsage } from "./openai-api-schemas.js";

/**
 * OpenAI usage → TokenUsage. Same meaning as OpenAI's fields: `completionTokens` already includes the
 * reasoning tokens and `promptTokens` the cached ones; the details are breakdowns, not additions.
 * Undefined when either total is missing: counting the missing side as 0 would bill it as free, while
 * no usage at all makes ingress estimate both sides.
 */
export function convertOpenAIUsage(usage: OpenAIUsage): TokenUsage | undefined {
  if (usage.prompt_tokens === null || usage.prompt_tokens === undefined) return undefined;
  if (usage.completion_tokens === null || usage.completion_tokens === undefined) return undefined;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    // OpenRouter (as an upstream) and some vendors break out the tokens written to the cache.
    cacheWriteTokens: usage.prompt_tokens_details?.cache_write_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
