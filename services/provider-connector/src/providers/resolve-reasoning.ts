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

/**
 * The share of the output cap an effort gives to reasoning where the provider takes a token budget
 * (OpenRouter's documented mapping, https://openrouter.ai/docs/guides/best-practices/reasoning-tokens:
 * max and xhigh 95 %, high 80 %, medium 50 %, low 20 %, minimal 10 %).
 */
const effortShares: Record<Exclude<ReasoningEffort, "none">, number> = { max: 0.95, xhigh: 0.95, high: 0.8, medium: 0.5, low: 0.2, minimal: 0.1 };

/** The reasoning budget in tokens an effort stands for under an output cap. */
export function effortBudget(effort: Exclude<ReasoningEffort, "none">, outputCap: number): number {
  return Math.floor(outputCap * effortShares[effort]);
}
