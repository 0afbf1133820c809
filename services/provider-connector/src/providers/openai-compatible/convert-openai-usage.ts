import type { TokenUsage } from "@switchboard/contracts";
import type { OpenAIUsage } from "./openai-api-schemas.js";

/**
 * OpenAI usage → TokenUsage. Same meaning as OpenAI's fields: `completionTokens` already includes the
 * reasoning tokens and `promptTokens` the cached ones; the details are breakdowns, not additions.
 */
export function convertOpenAIUsage(usage: OpenAIUsage): TokenUsage {
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
