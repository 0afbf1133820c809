import { microsToUsdNumber, type ChatChunk, type GatewayError, type ChatResponse, type ChatUsage, type TokenUsage } from "@switchboard/contracts";
import { toHttpErrorBody } from "../plugins/send-error.js";
import type { ResponseAccumulator } from "./response-accumulator.js";

/** What every response and chunk of one generation repeats. */
export interface GenerationIdentity {
  id: string;
  created: number;
  model: string;
  provider: string;
}

/** `usage` in OpenRouter's shape; `cost` is the exact micro-dollar charge shown in USD. */
export function buildChatUsage(usage: TokenUsage, costMicros: number): ChatUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens, cache_write_tokens: usage.cacheWriteTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    cost: microsToUsdNumber(costMicros),
    is_byok: false,
  };
}

export function buildChatResponse(identity: GenerationIdentity, accumulator: ResponseAccumulator, usage: ChatUsage): ChatResponse {
  const toolCalls = accumulator.toolCalls.map((call) => ({ id: call.id, type: "function" as const, function: { name: call.name, arguments: call.arguments } }));
  const message: ChatResponse["choices"][number]["message"] = {
    role: "assistant",
    content: accumulator.text === "" && (toolCalls.length > 0 || accumulator.refusal !== "") ? null : accumulator.text,
    refusal: accumulator.refusal === "" ? null : accumulator.refusal,
  };
  const { contentLogprobs, refusalLogprobs } = accumulator;
  const logprobs =
    contentLogprobs.length === 0 && refusalLogprobs.length === 0
      ? null
      : { content: contentLogprobs.length > 0 ? [...contentLogprobs] : null, refusal: refusalLogprobs.length > 0 ? [...refusalLogprobs] : null };
  if (accumulator.reasoning !== "") message.reasoning = accumulator.reasoning;
  if (accumulator.reasoningDetails.length > 0) message.reasoning_details = accumulator.reasoningDetails;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    provider: identity.provider,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        finish_reason: accumulator.finishReason ?? "stop",
        native_finish_reason: accumulator.nativeFinishReason,
        logprobs,
        message,
      },
    ],
    usage,
  };
}

type ChunkChoice = ChatChunk["choices"][number];

export function buildChatChunk(identity: GenerationIdentity, choices: ChunkChoice[], extra: Pick<ChatChunk, "usage" | "error"> = {}): ChatChunk {
  return {
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    provider: identity.provider,
    choices,
    ...extra,
  };
}

/**
 * The in-band error of a stream that already sent its headers (OpenRouter: `error` beside `finish_reason:
 * "error"`), with the same code, message and metadata (`provider_name`, `raw`) as the HTTP error body.
 */
export function buildErrorChunk(identity: GenerationIdentity, error: GatewayError): ChatChunk {
  return buildChatChunk(identity, [{ index: 0, delta: { content: "" }, finish_reason: "error" }], toHttpErrorBody(error));
}
