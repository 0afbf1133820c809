/**
 * The request fields of OpenAI's Chat Completions API that the OpenAI-compatible adapter forwards
 * (https://platform.openai.com/docs/api-reference/chat/create). Everything else in the client's body is
 * dropped: OpenRouter-only keys (`reasoning`, `top_k`, `provider`, `plugins`, ...) mean nothing to a
 * provider, and strict providers reject unknown keys with a 400.
 *
 * Not listed on purpose: `max_tokens` and `max_completion_tokens` (the adapter sends the reserved cap),
 * `stream_options` (the adapter asks for usage itself), `store` (the provider must not keep the
 * conversation on Switchboard's account) and the deprecated `functions` / `function_call`.
 *
 * A vendor that understands more extends the list in its adapter config:
 * `forwardedParameters: [...openAIRequestParameters, "top_k"]`.
 */
export const openAIRequestParameters: readonly string[] = [
  "messages",
  "model",
  "stream",
  "temperature",
  "top_p",
  "n",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "seed",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "user",
  "prediction",
  "reasoning_effort",
  "service_tier",
  "metadata",
  "modalities",
  "audio",
  "web_search_options",
];
