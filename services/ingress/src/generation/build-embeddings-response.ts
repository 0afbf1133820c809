import { microsToUsdNumber, type EmbeddingEncodingFormat, type EmbeddingsResponse, type TokenUsage } from "@switchboard/contracts";
import type { GenerationIdentity } from "./build-chat-payloads.js";

/**
 * A vector as OpenAI's `encoding_format: "base64"` sends it: the little-endian float32 bytes, base64
 * encoded (what OpenAI's SDKs ask for by default and decode with a Float32Array). Written byte order
 * explicit, so the answer does not depend on the machine's.
 */
export function encodeEmbeddingBase64(embedding: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(embedding.length * 4);
  embedding.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString("base64");
}

/** The embeddings answer in OpenAI's shape, with OpenRouter's `id`, `provider` and `usage.cost` (the exact charge in USD). */
export function buildEmbeddingsResponse(
  identity: GenerationIdentity,
  embeddings: readonly number[][],
  encodingFormat: EmbeddingEncodingFormat,
  usage: TokenUsage,
  costMicros: number,
): EmbeddingsResponse {
  return {
    id: identity.id,
    object: "list",
    model: identity.model,
    provider: identity.provider,
    data: embeddings.map((embedding, index) => ({
      object: "embedding",
      index,
      embedding: encodingFormat === "base64" ? encodeEmbeddingBase64(embedding) : embedding,
    })),
    usage: { prompt_tokens: usage.promptTokens, total_tokens: usage.promptTokens + usage.completionTokens, cost: microsToUsdNumber(costMicros), is_byok: false },
  };
}
