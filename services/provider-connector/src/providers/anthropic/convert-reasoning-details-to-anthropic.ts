import { reasoningFormats } from "@switchboard/contracts";
import type { AnthropicRequestBlock } from "./convert-to-anthropic-messages.js";

/**
 * The thinking blocks of an assistant message, rebuilt from the `reasoning_details` the client sent back
 * (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks):
 * with thinking on, the API wants the last assistant turn's thinking block, signature and all, before its
 * `tool_use`. Signed text becomes a `thinking` block, encrypted reasoning a `redacted_thinking` block.
 * Details of another provider's format, and unsigned text (which the API would reject), are left out:
 * they cannot be verified here, and the conversation is still valid without them.
 */
export function convertReasoningDetailsToAnthropic(details: readonly Record<string, unknown>[] | null | undefined): AnthropicRequestBlock[] {
  if (!details || details.length === 0) return [];
  const blocks: AnthropicRequestBlock[] = [];
  for (const detail of details) {
    const format = detail["format"];
    if (format !== undefined && format !== null && format !== reasoningFormats.anthropic) continue;
    if (detail["type"] === "reasoning.text" && typeof detail["signature"] === "string" && detail["signature"] !== "") {
      blocks.push({ type: "thinking", thinking: typeof detail["text"] === "string" ? detail["text"] : "", signature: detail["signature"] });
    } else if (detail["type"] === "reasoning.encrypted" && typeof detail["data"] === "string") {
      blocks.push({ type: "redacted_thinking", data: detail["data"] });
    }
  }
  return blocks;
}
