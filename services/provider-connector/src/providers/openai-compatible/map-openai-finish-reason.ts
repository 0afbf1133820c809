import type { FinishReason } from "@switchboard/contracts";

/** The normalized finish reason plus the provider's own value, which clients see as `native_finish_reason`. */
export interface MappedFinishReason {
  finishReason: FinishReason;
  nativeFinishReason: string | null;
}

/**
 * Maps OpenAI's `finish_reason`. `function_call` is the pre-tools name of `tool_calls`
 * (https://platform.openai.com/docs/api-reference/chat/object). Vendors invent others ("eos", "abort",
 * ...): those become `stop`, keeping the native value so nothing is hidden from the client.
 */
export function mapOpenAIFinishReason(native: string | null | undefined): MappedFinishReason {
  const nativeFinishReason = native ?? null;
  switch (native) {
    case "stop":
    case "length":
    case "tool_calls":
    case "content_filter":
    case "error":
      return { finishReason: native, nativeFinishReason };
    case "function_call":
      return { finishReason: "tool_calls", nativeFinishReason };
    default:
      return { finishReason: "stop", nativeFinishReason };
  }
}
