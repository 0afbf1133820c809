import type { TokenUsage } from "@switchboard/contracts";
import type { AnthropicUsage } from "./anthropic-api-schemas.js";

/**
 * Anthropic usage in OpenAI's terms. Anthropic's `input_tokens` counts only the tokens after the last cache
 * breakpoint; cache reads and cache writes come separately
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance), so the
 * prompt total OpenAI clients expect is input + cache read + cache write, with the reads as `cached` and
 * the writes as `cache_write` (each billed at the endpoint's own price for it). Thinking tokens are inside
 * `output_tokens`, which Anthropic does not split.
 *
 * `input` is where the prompt side was reported (a stream's `message_start`), `output` where the final
 * output count was (its last `message_delta`); for a whole message both are its `usage`. Undefined when
 * either side is missing, so ingress estimates rather than bills a side as free.
 */
export function convertAnthropicUsage(input: AnthropicUsage | null | undefined, output: AnthropicUsage | null | undefined): TokenUsage | undefined {
  const inputTokens = input?.input_tokens;
  const outputTokens = output?.output_tokens;
  if (inputTokens === null || inputTokens === undefined || outputTokens === null || outputTokens === undefined) return undefined;
  const cacheRead = input?.cache_read_input_tokens ?? 0;
  const cacheWrite = input?.cache_creation_input_tokens ?? 0;
  return {
    promptTokens: inputTokens + cacheRead + cacheWrite,
    completionTokens: outputTokens,
    cachedPromptTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
  };
}
