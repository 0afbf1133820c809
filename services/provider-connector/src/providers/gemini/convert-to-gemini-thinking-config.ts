import type { ChatRequest, ReasoningEffort, UpstreamWarning } from "@switchboard/contracts";
import { dropOrRefuseReasoning } from "../drop-or-refuse-reasoning.js";
import { effortBudget } from "../effort-budget.js";
import { resolveReasoning } from "../resolve-reasoning.js";

type Effort = Exclude<ReasoningEffort, "none">;
type ThinkingLevel = "minimal" | "low" | "medium" | "high";

/**
 * The `thinkingBudget` a Gemini 2.5 model takes when thinking (https://ai.google.dev/gemini-api/docs/thinking,
 * "Thinking budgets"): 2.5 Pro 128–32,768 and it cannot stop thinking; 2.5 Flash up to 24,576; 2.5
 * Flash-Lite 512–24,576; Flash and Flash-Lite take 0 to not think. Most specific pattern first. Models
 * not listed get budgets as asked: their range is not known here, and the provider's answer says.
 */
const budgetRanges: readonly { pattern: RegExp; minimum: number; maximum: number; canStopThinking: boolean }[] = [
  { pattern: /(^|\/)gemini-2\.5-flash-lite/, minimum: 512, maximum: 24_576, canStopThinking: true },
  { pattern: /(^|\/)gemini-2\.5-flash/, minimum: 1, maximum: 24_576, canStopThinking: true },
  { pattern: /(^|\/)gemini-2\.5-pro/, minimum: 128, maximum: 32_768, canStopThinking: false },
];

/**
 * Gemini 3 models take an effort as `thinkingLevel`, and each only some levels (the thinking guide's
 * table; OpenRouter maps efforts the same way): 3 Pro `low` and `high`; 3.1 Pro adds `medium`; the Flash
 * models (Flash-Lite too) also `minimal`. Most specific pattern first.
 */
const thinkingLevelModels: readonly { pattern: RegExp; levels: readonly ThinkingLevel[] }[] = [
  { pattern: /(^|\/)gemini-3-pro/, levels: ["low", "high"] },
  { pattern: /(^|\/)gemini-3(\.\d+)?-pro/, levels: ["low", "medium", "high"] },
  { pattern: /(^|\/)gemini-3/, levels: ["minimal", "low", "medium", "high"] },
];

/**
 * An effort as the nearest level the model takes. Gemini has nothing above `high`, so `xhigh` and `max`
 * ask for `high`. Where a model lacks `minimal` it gets `low`, the least it takes. Where it lacks
 * `medium` (3 Pro) it gets `high`: `medium` is what `reasoning.enabled: true` alone asks for, and `high`
 * is the model's own default, so an enabled request reasons as the model would unasked rather than less.
 */
function thinkingLevelOf(effort: Effort, levels: readonly ThinkingLevel[]): ThinkingLevel {
  const wanted: ThinkingLevel = effort === "max" || effort === "xhigh" ? "high" : effort;
  if (levels.includes(wanted)) return wanted;
  if (wanted === "minimal") return "low";
  return "high";
}

/**
 * Without an output cap an effort's budget is a share of this, Gemini 2.5's largest output (65,536
 * tokens), rather than the dynamic budget (-1), which would ignore the effort.
 */
const geminiLargestOutput = 65_536;

/**
 * The generation config's `thinkingConfig` for the client's reasoning request, and the warnings for what
 * the model cannot take. A budget goes as `thinkingBudget`; an effort as `thinkingLevel` on Gemini 3, as
 * its share of the output cap on 2.5 (kept within the model's range: an effort names no number of tokens);
 * off as a budget of 0, or Gemini 3 Flash's `minimal` level ("matches no thinking for most queries").
 * An explicit budget outside the model's range, or off on a model that always thinks (2.5 Pro, Gemini 3
 * Pro), is dropped and named, or refused under `provider.require_parameters` (drop-or-refuse-reasoning.ts);
 * never clamped. Thoughts are always asked for (`includeThoughts`): under `reasoning.exclude` the handler
 * turns their text into text-less `hidden-reasoning-delta` parts (hide-reasoning-text.ts), so a model
 * thinking counts as output there as on every other provider (no fallback once it thinks, charged on a
 * cancel), and keeps thought signatures. Undefined config when the request says nothing about reasoning.
 */
export function convertToGeminiThinkingConfig(
  request: ChatRequest,
  options: { upstreamModel: string; maxCompletionTokens: number | null },
): { thinkingConfig?: Record<string, unknown>; warnings: UpstreamWarning[] } {
  const reasoning = request.reasoning !== undefined || request.reasoning_effort !== undefined ? resolveReasoning(request) : undefined;
  if (reasoning === undefined) return { warnings: [] };
  const levels = thinkingLevelModels.find((model) => model.pattern.test(options.upstreamModel))?.levels;
  const range = budgetRanges.find((model) => model.pattern.test(options.upstreamModel));
  if (reasoning.kind === "off") {
    if (levels?.includes("minimal")) return { thinkingConfig: { thinkingLevel: "minimal" }, warnings: [] };
    if (levels !== undefined || range?.canStopThinking === false) {
      return { warnings: [dropOrRefuseReasoning(request, `${options.upstreamModel} cannot stop thinking`)] };
    }
    return { thinkingConfig: { thinkingBudget: 0 }, warnings: [] };
  }
  if (reasoning.kind === "budget") {
    const budget = reasoning.tokens;
    if (range !== undefined && (budget < range.minimum || budget > range.maximum)) {
      return { warnings: [dropOrRefuseReasoning(request, `${options.upstreamModel} takes a thinking budget (reasoning.max_tokens) from ${range.minimum} to ${range.maximum} tokens, not ${budget}`)] };
    }
    return { thinkingConfig: { includeThoughts: true, thinkingBudget: budget }, warnings: [] };
  }
  if (levels !== undefined) return { thinkingConfig: { includeThoughts: true, thinkingLevel: thinkingLevelOf(reasoning.effort, levels) }, warnings: [] };
  const share = effortBudget(reasoning.effort, options.maxCompletionTokens ?? geminiLargestOutput);
  const budget = range === undefined ? share : Math.min(range.maximum, Math.max(range.minimum, share));
  return { thinkingConfig: { includeThoughts: true, thinkingBudget: budget }, warnings: [] };
}
