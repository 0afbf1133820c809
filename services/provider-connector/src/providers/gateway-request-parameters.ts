/**
 * Top-level request keys Switchboard itself acts on, which no adapter forwards as they are and none reports
 * as dropped: routing (`model`, `models`, `provider`, `route`), the streaming switch and its options (each
 * adapter asks its provider for usage itself), the output caps (ingress folds them into the reserved cap
 * every adapter sends) and OpenRouter's `usage` accounting switch (usage is always returned).
 */
export const gatewayRequestParameters: ReadonlySet<string> = new Set([
  "model",
  "models",
  "provider",
  "route",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "usage",
]);
