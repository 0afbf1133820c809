import { azureOpenAIEmbeddingAdapter } from "./azure-openai/azure-openai-embedding-adapter.js";
import { bedrockEmbeddingAdapter } from "./bedrock/bedrock-embedding-adapter.js";
import type { EmbeddingAdapter } from "./embedding-adapter.js";
import { geminiEmbeddingAdapter } from "./gemini/gemini-embedding-adapter.js";
import { openAIEmbeddingAdapter } from "./openai/openai-embedding-adapter.js";

/** Embedding adapters by the catalog's `api` name. */
export type EmbeddingRegistry = ReadonlyMap<string, EmbeddingAdapter>;

/**
 * The provider APIs this connector can ask for embeddings, listed explicitly like `providerRegistry`.
 * An endpoint whose API is missing here answers an embeddings attempt with a retryable 502, so routing
 * moves on to another provider of the model.
 */
export const embeddingRegistry: EmbeddingRegistry = new Map<string, EmbeddingAdapter>([
  ["openai", openAIEmbeddingAdapter],
  ["azure-openai", azureOpenAIEmbeddingAdapter],
  ["gemini", geminiEmbeddingAdapter],
  ["bedrock", bedrockEmbeddingAdapter],
]);
