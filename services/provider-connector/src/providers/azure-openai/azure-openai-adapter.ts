import { createOpenAICompatibleAdapter } from "../openai-compatible/openai-compatible-adapter.js";
import { openAIReasoningModelPattern } from "../openai-compatible/output-cap-parameter.js";

/**
 * Azure OpenAI's deployment API
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference): the key in the `api-key` header,
 * the catalog's `upstream_model` is the deployment name, and the `base_url` carries the API version,
 * `https://<resource>.openai.azure.com/openai?api-version=2024-10-21`, so the request goes to
 * `…/openai/deployments/<deployment>/chat/completions?api-version=…`. Deployments named after an OpenAI
 * reasoning model (`o4-mini`, `gpt-5-…`) get the cap as `max_completion_tokens`.
 */
export const azureOpenAIAdapter = createOpenAICompatibleAdapter({
  providerLabel: "Azure OpenAI",
  credential: { scheme: "header", headerName: "api-key" },
  maxCompletionTokensModels: openAIReasoningModelPattern,
  chatCompletionsPath: (deployment) => `/deployments/${encodeURIComponent(deployment)}/chat/completions`,
});
