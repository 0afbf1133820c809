import type { ChatRequest, ReasoningEffort } from "@switchboard/contracts";

/**
 * What the client asked of the model's reasoning, whichever way it said it: `reasoning.max_tokens` (a
 * budget), `reasoning.effort` or the `reasoning_effort` shorthand, `reasoning.enabled` alone (OpenRouter:
 * "medium"), or `enabled: false` / effort `none` to not reason. Undefined when the request says nothing
 * about reasoning, so the provider's default applies.
 */
export type RequestedReasoning = { kind: "off" } | { kind: "effort"; effort: Exclude<ReasoningEffort, "none"> } | { kind: "budget"; tokens: number };

export function resolveReasoning(request: ChatRequest): RequestedReasoning | undefined {
  const reasoning = request.reasoning;
  const effort = reasoning?.effort ?? request.reasoning_effort;
  if (reasoning?.enabled === false || effort === "none") return { kind: "off" };
  if (typeof reasoning?.max_tokens === "number") return { kind: "budget", tokens: reasoning.max_tokens };
  if (effort !== undefined && effort !== null) return { kind: "effort", effort };
  if (reasoning?.enabled === true) return { kind: "effort", effort: "medium" };
  return undefined;
}
