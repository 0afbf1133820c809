import { z } from "zod";

/**
 * The parts of the Gemini API's (Generative Language API) `generateContent` wire format we read
 * (https://ai.google.dev/api/generate-content). Loose objects: Google adds fields (grounding, citations,
 * logprobs, ...) and they must not break an answer.
 */

const tokenCountSchema = z.number().int().nonnegative();

export const geminiUsageMetadataSchema = z.looseObject({
  /** Includes `cachedContentTokenCount`. */
  promptTokenCount: tokenCountSchema.nullish(),
  /** The answer's tokens, without the thinking tokens. */
  candidatesTokenCount: tokenCountSchema.nullish(),
  thoughtsTokenCount: tokenCountSchema.nullish(),
  cachedContentTokenCount: tokenCountSchema.nullish(),
});
export type GeminiUsageMetadata = z.infer<typeof geminiUsageMetadataSchema>;

const partSchema = z.looseObject({
  text: z.string().nullish(),
  /** True on a thought summary part (with `thinkingConfig.includeThoughts`). */
  thought: z.boolean().nullish(),
  /**
   * Gemini's encrypted record of its reasoning before this part (https://ai.google.dev/gemini-api/docs/thought-signatures),
   * to be sent back on the same part; required on function calls by Gemini 3 models.
   */
  thoughtSignature: z.string().nullish(),
  functionCall: z.looseObject({ name: z.string(), args: z.unknown().optional(), id: z.string().nullish() }).nullish(),
});
export type GeminiPart = z.infer<typeof partSchema>;

/** One `GenerateContentResponse`: a whole answer, or one chunk of a stream (each chunk has this shape). */
export const geminiResponseSchema = z.looseObject({
  responseId: z.string().nullish(),
  candidates: z
    .array(
      z.looseObject({
        index: z.number().int().nullish(),
        content: z.looseObject({ parts: z.array(partSchema).nullish() }).nullish(),
        finishReason: z.string().nullish(),
      }),
    )
    .nullish(),
  /** Set when the prompt itself was blocked; then there are no candidates. */
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: geminiUsageMetadataSchema.nullish(),
});
export type GeminiResponse = z.infer<typeof geminiResponseSchema>;

/** `{"error": {"code", "message", "status"}}`, Google's error body. */
export const geminiErrorBodySchema = z.looseObject({
  error: z.looseObject({ code: z.number().nullish(), message: z.string().nullish(), status: z.string().nullish() }),
});
