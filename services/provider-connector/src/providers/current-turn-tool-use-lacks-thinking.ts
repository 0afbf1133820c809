/** How one API's content blocks say what they are (Anthropic's `type`, Converse's one key per block). */
export interface ThinkingTurnBlocks<Block> {
  isToolResult(block: Block): boolean;
  isToolUse(block: Block): boolean;
  isThinking(block: Block): boolean;
}

/**
 * Whether a conversation breaks Claude's rule for thinking, on Anthropic's own API and on Bedrock's
 * Converse alike: one thinking configuration per assistant turn, and a tool-use loop is one turn, so with
 * thinking on the last assistant message of the current turn (after the last user message that is more
 * than tool results) that holds a tool use must start with a thinking block
 * (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks).
 * Such a message lacks one when the client sent no Anthropic `reasoning_details` back with it, e.g. when
 * the call was made without thinking (a forced tool choice) or by another provider.
 */
export function currentTurnToolUseLacksThinking<Block>(
  messages: readonly { role: "user" | "assistant"; content: readonly Block[] }[],
  blocks: ThinkingTurnBlocks<Block>,
): boolean {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const { role, content } = messages[index]!;
    if (role === "user" && content.some((block) => !blocks.isToolResult(block))) return false;
    if (role === "assistant" && content.some((block) => blocks.isToolUse(block))) {
      const first = content[0];
      return first === undefined || !blocks.isThinking(first);
    }
  }
  return false;
}
