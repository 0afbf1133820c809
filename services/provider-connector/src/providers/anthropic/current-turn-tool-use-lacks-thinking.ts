import type { AnthropicPrompt } from "./convert-to-anthropic-messages.js";

/**
 * Whether a Messages conversation breaks Anthropic's rule for thinking: one thinking configuration per
 * assistant turn, and a tool-use loop is one turn, so with thinking on the last assistant message of the
 * current turn (after the last user message that is more than tool results) that holds a `tool_use` must
 * start with a `thinking` or `redacted_thinking` block
 * (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks).
 * Such a message lacks one when the client sent no Anthropic `reasoning_details` back with it, e.g. when
 * the call was made without thinking (a forced tool choice) or by another provider.
 */
export function currentTurnToolUseLacksThinking(messages: AnthropicPrompt["messages"]): boolean {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const { role, content } = messages[index]!;
    if (role === "user" && content.some((block) => block.type !== "tool_result")) return false;
    if (role === "assistant" && content.some((block) => block.type === "tool_use")) {
      const first = content[0]?.type;
      return first !== "thinking" && first !== "redacted_thinking";
    }
  }
  return false;
}
