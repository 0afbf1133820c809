import type { MappedFinishReason } from "../openai-compatible/map-openai-finish-reason.js";

/** Bedrock Converse `stopReason` (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html) → OpenAI's finish reason, native kept. */
export function mapBedrockStopReason(native: string | null | undefined): MappedFinishReason {
  const nativeFinishReason = native ?? null;
  switch (native) {
    case "tool_use":
      return { finishReason: "tool_calls", nativeFinishReason };
    case "max_tokens":
    case "model_context_window_exceeded":
      return { finishReason: "length", nativeFinishReason };
    case "guardrail_intervened":
    case "content_filtered":
      return { finishReason: "content_filter", nativeFinishReason };
    default:
      // end_turn, stop_sequence, and reasons added later.
      return { finishReason: "stop", nativeFinishReason };
  }
}
