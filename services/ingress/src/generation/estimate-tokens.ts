import type { ChatRequest, TokenUsage } from "@switchboard/contracts";

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
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}

/** A letter, digit or combining mark outside ASCII (ASCII is classified by char code, faster). */
const nonAsciiWordCharacter = /[\p{L}\p{N}\p{M}]/u;

/**
 * A LOWER bound on prompt tokens, for the context-length filter: an endpoint is skipped when its window
 * is smaller than this plus the output asked for, so the estimate must never exceed the provider's count —
 * a pessimistic figure like promptTokenUpperBound's would refuse prompts that fit.
 *
 * It counts the runs of letters, digits (and apostrophes inside words) in the messages' text. The
 * tokenizers we route to split text into words before merging (GPT-style BPE pre-tokenizers, o200k
 * included, put letters, digit groups and punctuation in separate pieces; SentencePiece splits at
 * whitespace and script changes), so no token spans two such runs and each run costs at least one token.
 * Punctuation, whitespace, roles, tool definitions and the chat template are not counted at all: they
 * only add tokens. On English prose it comes to about three quarters of the true count.
 */
export function promptTokenLowerBound(request: ChatRequest): number {
  let runs = 0;
  for (const message of request.messages) {
    const content = (message as { content?: unknown }).content;
    if (typeof content === "string") runs += countWordRuns(content);
    else if (Array.isArray(content)) {
      for (const part of content as { type: string; text?: unknown }[]) {
        if (part.type === "text" && typeof part.text === "string") runs += countWordRuns(part.text);
      }
    }
  }
  return runs;
}

function countWordRuns(text: string): number {
  let runs = 0;
  let inRun = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    let word: boolean;
    if (code < 128) {
      // Letters, digits, and an apostrophe only inside a run ("don't" is one run, at most the 2 tokens it costs).
      word = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (inRun && code === 39);
    } else {
      // A surrogate pair is one character: test both halves together.
      const width = code >= 0xd800 && code <= 0xdbff && index + 1 < text.length ? 2 : 1;
      word = nonAsciiWordCharacter.test(text.slice(index, index + width)) || (inRun && code === 0x2019);
      index += width - 1;
    }
    if (word && !inRun) runs++;
    inRun = word;
  }
  return runs;
}
