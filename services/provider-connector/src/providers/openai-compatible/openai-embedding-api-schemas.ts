import { z } from "zod";

/**
 * The parts of OpenAI's embeddings response we read (https://platform.openai.com/docs/api-reference/embeddings/object).
 * Loose: OpenAI-compatible servers (vLLM, Ollama, Together…) add fields and some send `null` usage.
 */
export const openAIEmbeddingResponseSchema = z.looseObject({
  id: z.string().nullish(),
  data: z.array(z.looseObject({ index: z.number().int().nonnegative().nullish(), embedding: z.array(z.number()) })),
  usage: z.looseObject({ prompt_tokens: z.number().int().nonnegative().nullish(), total_tokens: z.number().int().nonnegative().nullish() }).nullish(),
});
export type OpenAIEmbeddingResponse = z.infer<typeof openAIEmbeddingResponseSchema>;
