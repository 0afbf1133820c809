import type { TokenUsage } from "@switchboard/contracts";

/**
 * The most a number written with an exponent grows when re-serialized: at least 3 bytes as sent ("1e5"),
 * at most 25 as JSON.stringify writes it ("-0.0000012345678901234567"). Without an exponent a number
 * never grows, since JSON.stringify writes the shortest form that reads back the same.
 */
const exponentNumberGrowthBytes = 22;

/**
 * An upper bound on prompt tokens, from the raw request body as received: its UTF-8 length, since
 * everything the provider bills as input (messages, tool definitions, response schemas) is text inside
 * it and every token of every tokenizer we route to covers at least one byte. The JSON framing outweighs
 * the few template tokens a chat format adds. Non-text content parts are refused before this is used.
 *
 * The request travels on re-serialized, and that is never longer than the raw body (whitespace, escapes
 * and duplicate keys only shrink; validation adds no defaults) except for numbers written with an
 * exponent (counted by scanJsonText), which are allowed for here with their largest growth. Measuring the raw text once replaces a
 * JSON.stringify of the whole request per request.
 */
export function promptTokenUpperBound(rawBody: string, exponentNumbers: number): number {
  return Buffer.byteLength(rawBody, "utf8") + exponentNumbers * exponentNumberGrowthBytes;
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
