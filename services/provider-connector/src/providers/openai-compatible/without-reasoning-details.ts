import type { ChatMessage } from "@switchboard/contracts";

/**
 * The conversation without `reasoning_details` on assistant messages, for vendors that do not take them
 * back: they are OpenRouter's field, which OpenAI's API does not define and a strict server may refuse as
 * unknown. The messages are copied only when one carries them.
 */
export function withoutReasoningDetails(messages: readonly ChatMessage[]): readonly ChatMessage[] {
  if (!messages.some((message) => message.role === "assistant" && message.reasoning_details !== undefined)) return messages;
  return messages.map((message) => {
    if (message.role !== "assistant" || message.reasoning_details === undefined) return message;
    const { reasoning_details: _left, ...rest } = message;
    return rest;
  });
}
