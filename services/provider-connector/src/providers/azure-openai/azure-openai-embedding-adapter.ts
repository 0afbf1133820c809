import { createOpenAICompatibleEmbeddingAdapter } from "../openai-compatible/openai-compatible-embedding-adapter.js";
import { azureOpenAIAdapter } from "./azure-openai-adapter.js";

/**
 * Azure OpenAI's embeddings, by deployment
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference#embeddings):
 * `…/openai/deployments/<deployment>/embeddings?api-version=…`, the key in the `api-key` header.
 */
export const azureOpenAIEmbeddingAdapter = createOpenAICompatibleEmbeddingAdapter({
  providerLabel: "Azure OpenAI",
  credential: { scheme: "header", headerName: "api-key" },
  embeddingsPath: (deployment) => `/deployments/${encodeURIComponent(deployment)}/embeddings`,
  chatAdapter: azureOpenAIAdapter,
});
