import { z } from "zod";
import { modelIdSchema, providerPreferencesSchema } from "../chat/chat-request.js";

/** Models a request may name in `model` and `models` together, as for chat. */
const maximumModels = 16;

/** OpenAI's limit on inputs per request (https://platform.openai.com/docs/api-reference/embeddings/create). */
export const maximumEmbeddingInputs = 2048;

const tokenIdSchema = z.number().int().nonnegative();

/**
 * What to embed, in every shape OpenAI's API takes: one text, several texts, one text as token ids, or
 * several as token-id arrays. Empty inputs are refused as OpenAI refuses them.
 */
export const embeddingInputSchema = z.union([
  z.string(),
  z.array(z.string()).min(1, "input must not be an empty array").max(maximumEmbeddingInputs, `input must hold at most ${maximumEmbeddingInputs} items`),
  z.array(tokenIdSchema).min(1, "input must not be an empty array"),
  z
    .array(z.array(tokenIdSchema).min(1, "a token array in input must not be empty"))
    .min(1, "input must not be an empty array")
    .max(maximumEmbeddingInputs, `input must hold at most ${maximumEmbeddingInputs} items`),
]);
export type EmbeddingInput = z.infer<typeof embeddingInputSchema>;

/** How the vectors come back: JSON numbers, or base64 of little-endian float32 (what OpenAI's SDKs ask for by default). */
export const embeddingEncodingFormats = ["float", "base64"] as const;
export type EmbeddingEncodingFormat = (typeof embeddingEncodingFormats)[number];

/**
 * POST /api/v1/embeddings body (OpenAI's shape as OpenRouter extends it with `models` and `provider`).
 * Unknown top-level fields are accepted and not forwarded: an embeddings API has no parameter a vendor
 * would lose silently, and a strict vendor must not get one it does not know.
 */
export const embeddingsRequestSchema = z
  .looseObject({
    model: modelIdSchema.optional(),
    models: z.array(modelIdSchema).max(maximumModels, `must name at most ${maximumModels} models`).optional(),
    input: embeddingInputSchema,
    encoding_format: z.enum(embeddingEncodingFormats).nullish(),
    /** Fewer dimensions than the model's own (OpenAI text-embedding-3, Gemini `outputDimensionality`). */
    dimensions: z.number().int().positive().max(65_536).nullish(),
    user: z.string().nullish(),
    provider: providerPreferencesSchema.optional(),
  })
  .refine((request) => request.model !== undefined || (request.models?.length ?? 0) > 0, {
    message: "model is required (or models, a list of models to try in order)",
    path: ["model"],
  });
export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** The inputs as a list, one entry per vector the response holds, in order. */
export function embeddingInputsOf(input: EmbeddingInput): (string | number[])[] {
  if (typeof input === "string") return [input];
  if (input.length > 0 && typeof input[0] === "number") return [input as number[]];
  return input as (string | number[])[];
}
