import type { TokenUsage } from "@switchboard/contracts";
import type { BedrockUsage } from "./bedrock-api-schemas.js";

/**
 * Bedrock usage in OpenAI's terms. Like Anthropic's, Bedrock's `inputTokens` leaves out the cache reads and
 * writes (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html), so the prompt total is
 * input + cache read + cache write, with the reads as cached and the writes as cache writes. Undefined
 * when a side is missing.
 */
export function convertBedrockUsage(usage: BedrockUsage | null | undefined): TokenUsage | undefined {
  const input = usage?.inputTokens;
  const output = usage?.outputTokens;
  if (input === null || input === undefined || output === null || output === undefined) return undefined;
  const cacheRead = usage?.cacheReadInputTokens ?? 0;
  const cacheWrite = usage?.cacheWriteInputTokens ?? 0;
  return { promptTokens: input + cacheRead + cacheWrite, completionTokens: output, cachedPromptTokens: cacheRead, cacheWriteTokens: cacheWrite, reasoningTokens: 0 };
}
