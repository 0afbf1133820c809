import { z } from "zod";

/**
 * The parts of Gemini's `batchEmbedContents` answer we read
 * (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents): one `ContentEmbedding` per
 * request, in request order. The Generative Language API sends no token count for embeddings; a
 * `usageMetadata` is read if one comes (Vertex's shape), so a provider that counts is believed.
 */
export const geminiBatchEmbedResponseSchema = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
  usageMetadata: z.looseObject({ promptTokenCount: z.number().int().nonnegative().nullish() }).nullish(),
});
export type GeminiBatchEmbedResponse = z.infer<typeof geminiBatchEmbedResponseSchema>;
