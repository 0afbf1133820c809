import type { ChatRequest, TokenUsage } from "@switchboard/contracts";

/**
 * An upper bound on prompt tokens: every token of every tokenizer we route to covers at least one byte
 * of text, and the JSON framing of each message outweighs the few template tokens a chat format adds.
 */
export function promptTokenUpperBound(request: ChatRequest): number {
  return Buffer.byteLength(JSON.stringify(request.messages), "utf8");
}

/**
 * Usage when the provider reported none (a stream the client cancelled): about four bytes per token,
 * rounded up, which is what OpenAI-family tokenizers average on English text.
 */
export function estimateUsage(promptBytes: number, outputBytes: number): TokenUsage {
  return {
    promptTokens: Math.ceil(promptBytes / 4),
    completionTokens: Math.ceil(outputBytes / 4),
    cachedPromptTokens: 0,
    reasoningTokens: 0,
  };
}
