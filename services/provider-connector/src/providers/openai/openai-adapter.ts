import { createOpenAICompatibleAdapter } from "../openai-compatible/openai-compatible-adapter.js";
import { openAIReasoningModelPattern } from "../openai-compatible/output-cap-parameter.js";

/**
 * OpenAI's own API: a Bearer key (https://platform.openai.com/docs/api-reference/authentication), and its
 * reasoning models take the output cap only as `max_completion_tokens`.
 */
export const openAIAdapter = createOpenAICompatibleAdapter({
  providerLabel: "OpenAI",
  credential: { scheme: "bearer" },
  maxCompletionTokensModels: openAIReasoningModelPattern,
});
