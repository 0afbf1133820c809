import type { ReasoningEffort } from "@switchboard/contracts";
import { effortBudget } from "../effort-budget.js";
import type { RequestedReasoning } from "../resolve-reasoning.js";

/**
 * Gemini 3 models take an effort as `thinkingLevel`; Gemini 2.5 models only a `thinkingBudget`
 * (https://ai.google.dev/gemini-api/docs/thinking).
 */
const thinkingLevelModelPattern = /(^|\/)gemini-3/;

/**
 * OpenRouter's efforts as Gemini thinking levels. Gemini has nothing above `high`, so `xhigh` and `max`
 * ask for its most, `high`.
 */
const thinkingLevels: Record<Exclude<ReasoningEffort, "none">, string> = { max: "high", xhigh: "high", high: "high", medium: "medium", low: "low", minimal: "minimal" };

/**
 * Without an output cap an effort's budget is a share of this, Gemini 2.5's largest output (65,536
 * tokens), rather than the dynamic budget (-1), which would ignore the effort.
 */
const geminiLargestOutput = 65_536;

/**
 * The generation config's `thinkingConfig` for the client's reasoning request: a budget as
 * `thinkingBudget`; an effort as `thinkingLevel` on Gemini 3, as its share of the output cap
 * (resolve-reasoning.ts) on older models; off as a budget of 0. Thoughts are asked for (`includeThoughts`)
 * unless the client excludes the reasoning text, which Gemini then does not send at all; the thinking
 * tokens are counted either way. Undefined when the request says nothing about reasoning.
 */
export function convertToGeminiThinkingConfig(
  reasoning: RequestedReasoning | undefined,
  options: { upstreamModel: string; maxCompletionTokens: number | null; exclude: boolean },
): Record<string, unknown> | undefined {
  if (reasoning === undefined) return undefined;
  if (reasoning.kind === "off") return { thinkingBudget: 0 };
  const includeThoughts = !options.exclude;
  if (reasoning.kind === "budget") return { includeThoughts, thinkingBudget: reasoning.tokens };
  if (thinkingLevelModelPattern.test(options.upstreamModel)) return { includeThoughts, thinkingLevel: thinkingLevels[reasoning.effort] };
  return { includeThoughts, thinkingBudget: effortBudget(reasoning.effort, options.maxCompletionTokens ?? geminiLargestOutput) };
}
