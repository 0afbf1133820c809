import { randomBytes } from "node:crypto";

/**
 * Builders of OpenAI chat completions wire objects, shaped as api.openai.com sends them
 * (https://platform.openai.com/docs/api-reference/chat/object and /chat-streaming).
 */

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Prompt tokens read from the provider's prompt cache (`prompt_tokens_details.cached_tokens`); 0 when absent. */
  cached_tokens?: number;
  /** Prompt tokens written to the cache (`prompt_tokens_details.cache_write_tokens`, as OpenRouter reports them); left out when absent. */
  cache_write_tokens?: number;
  /** Completion tokens spent reasoning (`completion_tokens_details.reasoning_tokens`); 0 when absent. */
  reasoning_tokens?: number;
}

export interface WireToolCall {
  id: string;
  name: string;
  arguments: string;
}

const systemFingerprint = "fp_fake0000001";

export function completionId(): string {
  return `chatcmpl-${randomBytes(15).toString("base64url")}`;
}

export function toolCallId(): string {
  return `call_${randomBytes(12).toString("base64url")}`;
}

export function usageObject(usage: WireUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: {
      cached_tokens: usage.cached_tokens ?? 0,
      ...(usage.cache_write_tokens === undefined ? {} : { cache_write_tokens: usage.cache_write_tokens }),
      audio_tokens: 0,
    },
    completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/**
 * A token's log probability for a chunk of text, deterministic so tests can assert it: OpenAI's
 * ChatCompletionTokenLogprob shape with the token's UTF-8 bytes.
 */
export function tokenLogprob(token: string, position: number): Record<string, unknown> {
  return { token, logprob: -(position + 1) / 8, bytes: [...Buffer.from(token, "utf8")], top_logprobs: [] };
}

export function chatCompletion(options: {
  id: string;
  created: number;
  model: string;
  content: string | null;
  refusal?: string | null;
  toolCalls: readonly WireToolCall[];
  finishReason: string;
  usage: WireUsage | undefined;
  logprobs?: Record<string, unknown> | null;
}): Record<string, unknown> {
  const message: Record<string, unknown> = { role: "assistant", content: options.content, refusal: options.refusal ?? null };
  if (options.toolCalls.length > 0) {
    message["tool_calls"] = options.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }));
  }
  return {
    id: options.id,
    object: "chat.completion",
    created: options.created,
    model: options.model,
    choices: [{ index: 0, message, logprobs: options.logprobs ?? null, finish_reason: options.finishReason }],
    ...(options.usage !== undefined ? { usage: usageObject(options.usage) } : {}),
    service_tier: "default",
    system_fingerprint: systemFingerprint,
  };
}

/** One `chat.completion.chunk`; `usage: null` on every chunk when the client asked for usage, as OpenAI does. */
export function chatChunk(options: {
  id: string;
  created: number;
  model: string;
  choices: readonly Record<string, unknown>[];
  usage?: WireUsage | null;
}): Record<string, unknown> {
  return {
    id: options.id,
    object: "chat.completion.chunk",
    created: options.created,
    model: options.model,
    service_tier: "default",
    system_fingerprint: systemFingerprint,
    choices: options.choices,
    ...(options.usage !== undefined ? { usage: options.usage === null ? null : usageObject(options.usage) } : {}),
  };
}

export function choiceDelta(delta: Record<string, unknown>, finishReason: string | null = null, logprobs: Record<string, unknown> | null = null): Record<string, unknown> {
  return { index: 0, delta, logprobs, finish_reason: finishReason };
}

const errorTypes: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: "invalid_request_error", code: null, message: "Invalid request" },
  401: { type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided" },
  403: { type: "invalid_request_error", code: "unsupported_country_region_territory", message: "Country, region, or territory not supported" },
  404: { type: "invalid_request_error", code: "model_not_found", message: "The model does not exist or you do not have access to it." },
  429: { type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached for requests" },
  500: { type: "server_error", code: null, message: "The server had an error while processing your request. Sorry about that!" },
  503: { type: "server_error", code: null, message: "The engine is currently overloaded, please try again later" },
};

/** OpenAI's error body for an HTTP status. */
export function errorBody(status: number, message?: string): Record<string, unknown> {
  const known = errorTypes[status] ?? { type: status >= 500 ? "server_error" : "invalid_request_error", code: null, message: `HTTP ${status}` };
  return { error: { message: message ?? known.message, type: known.type, param: null, code: known.code } };
}
