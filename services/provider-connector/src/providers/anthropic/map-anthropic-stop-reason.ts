import type { MappedFinishReason } from "../openai-compatible/map-openai-finish-reason.js";

/**
 * Maps Anthropic's `stop_reason` (https://docs.anthropic.com/en/api/handling-stop-reasons) onto OpenAI's
 * finish reasons, keeping the native value for `native_finish_reason`. `pause_turn` (a server tool paused
 * a long turn) ends this answer like `end_turn`; `refusal` is the model's safety stop.
 */
export function mapAnthropicStopReason(native: string | null | undefined): MappedFinishReason {
  const nativeFinishReason = native ?? null;
  switch (native) {
    case "tool_use":
      return { finishReason: "tool_calls", nativeFinishReason };
    case "max_tokens":
    case "model_context_window_exceeded":
      return { finishReason: "length", nativeFinishReason };
    case "refusal":
      return { finishReason: "content_filter", nativeFinishReason };
    default:
      // end_turn, stop_sequence, pause_turn, and reasons added after this was written.
      return { finishReason: "stop", nativeFinishReason };
  }
}
