import { z } from "zod";

/** `usage` of an embeddings response: input tokens only, and the USD cost charged (OpenRouter's `cost`). */
export const embeddingsUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  cost: z.number().nonnegative(),
  is_byok: z.boolean(),
});
export type EmbeddingsUsage = z.infer<typeof embeddingsUsageSchema>;

/** POST /api/v1/embeddings answer: OpenAI's list of vectors plus OpenRouter's `id`, `provider` and `usage.cost`. */
export const embeddingsResponseSchema = z.object({
  id: z.string(),
  object: z.literal("list"),
  model: z.string(),
  provider: z.string(),
  data: z.array(
    z.object({
      object: z.literal("embedding"),
      index: z.number().int().nonnegative(),
      /** Numbers for `encoding_format: "float"`, base64 of little-endian float32 for `"base64"`. */
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  usage: embeddingsUsageSchema,
});
export type EmbeddingsResponse = z.infer<typeof embeddingsResponseSchema>;
