import type { ChatMessage, ChatRequest } from "@switchboard/contracts";
import { resolveReasoning } from "../resolve-reasoning.js";

/**
 * OpenRouter's `reasoning` for a vendor that speaks only OpenAI's Chat Completions (whose catalog quirks do
 * not forward `reasoning` as it is): an effort becomes `reasoning_effort`, OpenAI's one reasoning control
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort), unless the
 * client set that too; `enabled: false` becomes `none`. A token budget has no OpenAI field. `exclude`
 * needs nothing upstream: the connector hides the text. Returns false when `reasoning` asked for
 * something OpenAI cannot take (a budget), so the caller names it as dropped.
 */
export function convertOpenAIReasoning(request: ChatRequest, body: Record<string, unknown>): boolean {
  const reasoning = resolveReasoning(request);
  if (reasoning?.kind === "budget") return false;
  if (request.reasoning_effort !== undefined && request.reasoning_effort !== null) return true;
  if (reasoning?.kind === "effort") body["reasoning_effort"] = reasoning.effort;
  else if (reasoning?.kind === "off") body["reasoning_effort"] = "none";
  return true;
}

/**
 * The conversation without `reasoning_details` on assistant messages, for vendors that do not take them
 * back (OpenAI refuses unknown message fields). The messages are copied only when one carries them.
 */
export function withoutReasoningDetails(messages: readonly ChatMessage[]): readonly ChatMessage[] {
  if (!messages.some((message) => message.role === "assistant" && message.reasoning_details !== undefined)) return messages;
  return messages.map((message) => {
    if (message.role !== "assistant" || message.reasoning_details === undefined) return message;
    const { reasoning_details: _left, ...rest } = message;
    return rest;
  });
}
