import type { ChatRequest, ReasoningEffort, UpstreamWarning } from "@switchboard/contracts";
import { dropOrRefuseReasoning } from "../drop-or-refuse-reasoning.js";
import { effortBudget } from "../effort-budget.js";
import { resolveReasoning } from "../resolve-reasoning.js";
import { reasoningChangedWarning } from "../reasoning-changed-warning.js";

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
 * The `thinkingLevel`s of the Gemini 3 models whose levels are documented (the thinking guides' tables,
 * https://ai.google.dev/gemini-api/docs/thinking and https://docs.cloud.google.com/vertex-ai/generative-ai/docs/thinking):
 * 3 Pro `low` and `high`; 3.1 Pro adds `medium`; 3 Flash and 3.1 Flash-Lite also `minimal`; 3.7 and 3.8
 * Flash `low`, `medium` and `high` only. Other Gemini 3 models are not listed: their levels are not known
 * here, so they get the effort as asked and the provider's answer says (geminiThreePattern).
 */
const thinkingLevelModels: readonly { pattern: RegExp; levels: readonly ThinkingLevel[] }[] = [
  { pattern: /(^|\/)gemini-3-pro/, levels: ["low", "high"] },
  { pattern: /(^|\/)gemini-3\.1-pro/, levels: ["low", "medium", "high"] },
  { pattern: /(^|\/)gemini-3-flash/, levels: ["minimal", "low", "medium", "high"] },
  { pattern: /(^|\/)gemini-3\.1-flash-lite/, levels: ["minimal", "low", "medium", "high"] },
  { pattern: /(^|\/)gemini-3\.[78]-flash/, levels: ["low", "medium", "high"] },
];

/** Gemini 3 and later minor versions take an effort as `thinkingLevel`, not as a budget. */
const geminiThreePattern = /(^|\/)gemini-3(\.\d+)?-/;

/** The levels every Gemini 3 model is taken to know when its own are not listed above. */
const commonThinkingLevels: readonly ThinkingLevel[] = ["low", "medium", "high"];

/**
 * An effort as the level sent, or undefined when the model takes no level for it. Gemini has nothing
 * above `high`, so `xhigh` and `max` get `high`. Where a model lacks `medium` (3 Pro) it gets `high`:
 * `medium` is what `reasoning.enabled: true` alone asks for, and `high` is the model's own default, so an
 * enabled request reasons as the model would unasked rather than less. `minimal` goes only to a model
 * known to take it: giving it `low` would be more thinking than asked, so it is dropped instead.
 */
function thinkingLevelOf(effort: Effort, levels: readonly ThinkingLevel[]): ThinkingLevel | undefined {
  const wanted: ThinkingLevel = effort === "max" || effort === "xhigh" ? "high" : effort;
  if (levels.includes(wanted)) return wanted;
  if (wanted === "minimal") return undefined;
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
 * its share of the output cap on 2.5 (raised to the model's smallest budget: an effort names no number of
 * tokens); off as a budget of 0. Off on a Gemini 3 Flash that takes `minimal` is sent as `minimal`, which
 * Google describes as matching no thinking for most queries, not as none: the level differs from what was
 * asked, so it carries a `reasoning` warning (reasoning-changed-warning.ts), as does any effort sent as
 * another level. Dropped and named, or refused under `provider.require_parameters`
 * (drop-or-refuse-reasoning.ts), never clamped: an explicit budget outside the model's range; off on a
 * model that always thinks (2.5 Pro, a Gemini 3 model not known to take `minimal`); a `minimal` effort on
 * a Gemini 3 model not known to take it; an effort whose smallest budget leaves the answer no room under
 * the output cap (Gemini counts thinking against `maxOutputTokens`). Thoughts are always asked for
 * (`includeThoughts`): under `reasoning.exclude` the handler turns their text into text-less
 * `hidden-reasoning-delta` parts (hide-reasoning-text.ts), so a model thinking counts as output there as
 * on every other provider (no fallback once it thinks, charged on a cancel), and keeps thought
 * signatures. Undefined config when the request says nothing about reasoning.
 */
export function convertToGeminiThinkingConfig(
  request: ChatRequest,
  options: { upstreamModel: string; maxCompletionTokens: number | null },
): { thinkingConfig?: Record<string, unknown>; warnings: UpstreamWarning[] } {
  const reasoning = request.reasoning !== undefined || request.reasoning_effort !== undefined ? resolveReasoning(request) : undefined;
  if (reasoning === undefined) return { warnings: [] };
  const model = options.upstreamModel;
  const knownLevels = thinkingLevelModels.find((entry) => entry.pattern.test(model))?.levels;
  const levels = knownLevels ?? (geminiThreePattern.test(model) ? commonThinkingLevels : undefined);
  const range = budgetRanges.find((entry) => entry.pattern.test(model));
  if (reasoning.kind === "off") {
    if (levels?.includes("minimal")) return { thinkingConfig: { thinkingLevel: "minimal" }, warnings: [reasoningChangedWarning(request)] };
    if (levels !== undefined || range?.canStopThinking === false) {
      return { warnings: [dropOrRefuseReasoning(request, `${model} cannot stop thinking`)] };
    }
    return { thinkingConfig: { thinkingBudget: 0 }, warnings: [] };
  }
  if (reasoning.kind === "budget") {
    const budget = reasoning.tokens;
    if (range !== undefined && (budget < range.minimum || budget > range.maximum)) {
      return { warnings: [dropOrRefuseReasoning(request, `${model} takes a thinking budget (reasoning.max_tokens) from ${range.minimum} to ${range.maximum} tokens, not ${budget}`)] };
    }
    return { thinkingConfig: { includeThoughts: true, thinkingBudget: budget }, warnings: [] };
  }
  if (levels !== undefined) {
    const level = thinkingLevelOf(reasoning.effort, levels);
    if (level === undefined) return { warnings: [dropOrRefuseReasoning(request, `${model} is not known to take the thinking level ${reasoning.effort}`)] };
    return { thinkingConfig: { includeThoughts: true, thinkingLevel: level }, warnings: level === reasoning.effort ? [] : [reasoningChangedWarning(request)] };
  }
  const outputCap = options.maxCompletionTokens ?? geminiLargestOutput;
  if (range !== undefined && range.minimum >= outputCap) {
    return { warnings: [dropOrRefuseReasoning(request, `${model} thinks at least ${range.minimum} tokens, which leaves no room for the answer under this request's output cap of ${outputCap}`)] };
  }
  const share = effortBudget(reasoning.effort, outputCap);
  const budget = range === undefined ? share : Math.min(range.maximum, Math.max(range.minimum, share));
  return { thinkingConfig: { includeThoughts: true, thinkingBudget: budget }, warnings: [] };
}
