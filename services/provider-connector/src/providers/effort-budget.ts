import type { ReasoningEffort } from "@switchboard/contracts";

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
