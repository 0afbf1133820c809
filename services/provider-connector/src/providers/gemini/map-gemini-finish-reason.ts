import type { MappedFinishReason } from "../openai-compatible/map-openai-finish-reason.js";

/** Finish reasons of content Google's filters stopped (https://ai.google.dev/api/generate-content#FinishReason), images' included. */
const filteredReasons = new Set([
  "SAFETY",
  "RECITATION",
  "LANGUAGE",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/**
 * Finish reasons of an answer that broke off over a tool call or the request's thought signatures: the
 * model's call was malformed, came without tools enabled, or came once too often; or a signature Gemini 3
 * needs was missing. None is a finished answer.
 */
const failedReasons = new Set(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS", "MISSING_THOUGHT_SIGNATURE"]);

/**
 * Maps Gemini's `finishReason` (or a prompt's `blockReason`) onto OpenAI's, keeping the native value.
 * Gemini says `STOP` also when it calls a function, so `calledFunction` (whether the answer had a
 * functionCall part) turns that into `tool_calls`.
 */
export function mapGeminiFinishReason(native: string | null | undefined, calledFunction: boolean): MappedFinishReason {
  const nativeFinishReason = native ?? null;
  if (native === "MAX_TOKENS") return { finishReason: "length", nativeFinishReason };
  if (native !== null && native !== undefined && filteredReasons.has(native)) return { finishReason: "content_filter", nativeFinishReason };
  if (native !== null && native !== undefined && failedReasons.has(native)) return { finishReason: "error", nativeFinishReason };
  if (calledFunction) return { finishReason: "tool_calls", nativeFinishReason };
  return { finishReason: "stop", nativeFinishReason };
}
