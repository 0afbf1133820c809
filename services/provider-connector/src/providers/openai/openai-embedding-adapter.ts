import { createOpenAICompatibleEmbeddingAdapter } from "../openai-compatible/openai-compatible-embedding-adapter.js";
import { openAIAdapter } from "./openai-adapter.js";

/** OpenAI's embeddings API, and every OpenAI-compatible vendor's (`api: openai` in the catalog), with a Bearer key. */
export const openAIEmbeddingAdapter = createOpenAICompatibleEmbeddingAdapter({
  providerLabel: "OpenAI",
  credential: { scheme: "bearer" },
  chatAdapter: openAIAdapter,
});
