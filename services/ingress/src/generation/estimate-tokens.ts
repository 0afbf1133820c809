import type { ChatRequest, TokenUsage } from "@switchboard/contracts";

/**
 * An upper bound on prompt tokens: the UTF-8 length of the whole request body, since everything the
 * provider bills as input (messages, tool definitions, response schemas) is text inside it and every
 * token of every tokenizer we route to covers at least one byte. The JSON framing outweighs the few
 * template tokens a chat format adds. Non-text content parts are refused before this is used.
 */
export function promptTokenUpperBound(request: ChatRequest): number {
  return Buffer.byteLength(JSON.stringify(request), "utf8");
}

/**
 * Usage when the provider reported none (a stream the client cancelled): about four bytes per token,
 * rounded up, which is what OpenAI-family tokenizers average on English text; never more than the
 * bounds the reservation was made with, so an estimate cannot overdraw.
 */
export function estimateUsage(promptBytes: number, outputBytes: number, maximumCompletionTokens: number): TokenUsage {
  return {
    // ceil(bytes / 4) never exceeds the byte count the reservation used as its prompt bound.
    promptTokens: Math.ceil(promptBytes / 4),
    completionTokens: Math.min(Math.ceil(outputBytes / 4), maximumCompletionTokens),
    cachedPromptTokens: 0,
    reasoningTokens: 0,
  };
}
