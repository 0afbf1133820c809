import type { ChatRequest } from "@switchboard/contracts";
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
