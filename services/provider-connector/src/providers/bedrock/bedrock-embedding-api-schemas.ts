import { z } from "zod";

/**
 * Amazon Titan Text Embeddings' InvokeModel answer
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html):
 * one vector and the input's token count.
 */
export const titanEmbeddingResponseSchema = z.looseObject({
  embedding: z.array(z.number()),
  inputTextTokenCount: z.number().int().nonnegative().nullish(),
});

/**
 * Cohere Embed's InvokeModel answer on Bedrock
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html), float vectors
 * (`response_type: "embeddings_floats"`): one per text, in order. Its token count travels only in the
 * `X-Amzn-Bedrock-Input-Token-Count` header, which adapters do not see, so ingress estimates.
 */
export const cohereEmbeddingResponseSchema = z.looseObject({
  id: z.string().nullish(),
  embeddings: z.array(z.array(z.number())),
});
