import { createOpenAICompatibleAdapter } from "../openai-compatible/openai-compatible-adapter.js";

/** OpenAI's own API (https://platform.openai.com/docs/api-reference/authentication): a Bearer key. */
export const openAIAdapter = createOpenAICompatibleAdapter({
  providerLabel: "OpenAI",
  authorizationHeader: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
});
