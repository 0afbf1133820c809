import type { FinishReason, ReasoningDetail, StreamPart, TokenLogprob, TokenUsage } from "@switchboard/contracts";
import { mergeReasoningDetail } from "./merge-reasoning-detail.js";

interface AccumulatedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Folds stream parts into what the non-streaming response and the completion fact need: the text,
 * tool calls, finish reason, reported usage and how much output was produced (for cancelled streams
 * that never got a usage report).
 */
export class ResponseAccumulator {
  text = "";
  reasoning = "";
  /** `reasoning_details` rebuilt from their streamed pieces. */
  readonly reasoningDetails: ReasoningDetail[] = [];
  /** The model's refusal text (OpenAI's `message.refusal`), apart from the content. */
  refusal = "";
  /** Token log probabilities of the content and of the refusal, when the client asked for them. */
  readonly contentLogprobs: TokenLogprob[] = [];
  readonly refusalLogprobs: TokenLogprob[] = [];
  readonly toolCalls: AccumulatedToolCall[] = [];
  finishReason: FinishReason | null = null;
  nativeFinishReason: string | null = null;
  usage: TokenUsage | null = null;
  upstreamId: string | null = null;
  /** The vectors of an embeddings generation, by input index; created with the first, so a chat generation allocates nothing for them. */
  private vectors: number[][] | null = null;
  /** True once any output (text, reasoning, tool call or vector) was produced. */
  producedOutput = false;
  /** UTF-8 bytes of reasoning the client asked not to see (`reasoning.exclude`): output all the same. */
  private hiddenReasoningBytes = 0;

  add(part: StreamPart): void {
    switch (part.type) {
      case "stream-start":
        this.upstreamId = part.upstreamId;
        break;
      case "text-delta":
        this.text += part.text;
        this.producedOutput = true;
        break;
      case "reasoning-delta":
        this.reasoning += part.text;
        if (part.detail !== undefined) mergeReasoningDetail(this.reasoningDetails, part.detail);
        this.producedOutput = true;
        break;
      case "reasoning-detail":
        mergeReasoningDetail(this.reasoningDetails, part.detail);
        break;
      case "hidden-reasoning-delta":
        this.hiddenReasoningBytes += part.outputBytes;
        this.producedOutput = true;
        break;
      case "refusal-delta":
        this.refusal += part.text;
        this.producedOutput = true;
        break;
      case "logprobs-delta":
        this.contentLogprobs.push(...(part.content ?? []));
        this.refusalLogprobs.push(...(part.refusal ?? []));
        break;
      case "tool-call-delta": {
        const call = (this.toolCalls[part.index] ??= { id: "", name: "", arguments: "" });
        if (part.id) call.id = part.id;
        if (part.name) call.name += part.name;
        call.arguments += part.argumentsDelta;
        this.producedOutput = true;
        break;
      }
      case "finish":
        this.finishReason = part.finishReason;
        this.nativeFinishReason = part.nativeFinishReason;
        break;
      case "usage":
        this.usage = part.usage;
        break;
      case "embedding":
        (this.vectors ??= [])[part.index] = part.embedding;
        this.producedOutput = true;
        break;
      case "stream-end":
      case "error":
      case "heartbeat":
        break;
    }
  }

  /** The vectors received so far, by input index (an embeddings generation). */
  get embeddings(): readonly (number[] | undefined)[] {
    return this.vectors ?? [];
  }

  /** UTF-8 bytes of everything produced, for estimating output tokens when the provider reported none. */
  outputBytes(): number {
    const toolText = this.toolCalls.map((call) => call.name + call.arguments).join("");
    return Buffer.byteLength(this.text + this.reasoning + this.refusal + toolText, "utf8") + this.hiddenReasoningBytes;
  }
}
