import type { ChatRequest, UpstreamWarning } from "@switchboard/contracts";
import { dropOrRefuseReasoning } from "../drop-or-refuse-reasoning.js";
import { effortBudget } from "../effort-budget.js";
import { resolveReasoning } from "../resolve-reasoning.js";

/** Anthropic's smallest thinking budget (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking). */
export const anthropicMinimumThinkingBudget = 1_024;

/**
 * The output cap sent when neither the client nor the catalog gives one: the Messages API requires
 * `max_tokens`. Catalog entries for Anthropic endpoints should set `max_completion_tokens`, which ingress
 * then always sends; this is the fallback the official SDK examples use.
 */
export const anthropicFallbackMaxTokens = 4_096;

/** What an Anthropic model (Messages API, or Bedrock's `additionalModelRequestFields`) is sent for the client's reasoning. */
export interface AnthropicThinking {
  /** Absent when no reasoning is asked for, it is turned off, or it was dropped (then named in `warnings`). */
  thinking?: { type: "enabled"; budget_tokens: number };
  /** The `max_tokens` to send with it. */
  maxTokens: number;
  warnings: UpstreamWarning[];
}

/**
 * The `thinking` for the client's reasoning request under `outputCap`, the cap ingress sends (the
 * client's `max_tokens`, else the endpoint's catalog `max_completion_tokens`, else null for none).
 *
 * Anthropic takes a budget only from 1,024 and below `max_tokens`. An effort's budget is its share of
 * `max_tokens` (effort-budget.ts), at least 1,024 (OpenRouter's documented floor for efforts). An explicit
 * `reasoning.max_tokens` is sent as given. When a budget cannot fit, `max_tokens` is raised only where
 * nobody set it (no client cap and no catalog cap: the fallback of 4,096 grows to leave the answer that
 * much room besides the budget); a client's cap is theirs and a catalog cap is the endpoint's largest, so
 * under either the reasoning is a value the endpoint cannot take: dropped with a warning, or refused
 * under `provider.require_parameters` (drop-or-refuse-reasoning.ts). A budget below 1,024 is such a value
 * too, never raised to the minimum: the OpenRouter reference we follow
 * (/work/shared/reference/openrouter-api.md, "Reasoning") documents no other handling for it.
 */
export function convertToAnthropicThinking(request: ChatRequest, outputCap: number | null): AnthropicThinking {
  const maxTokens = outputCap ?? anthropicFallbackMaxTokens;
  const reasoning = request.reasoning !== undefined || request.reasoning_effort !== undefined ? resolveReasoning(request) : undefined;
  if (reasoning === undefined || reasoning.kind === "off") return { maxTokens, warnings: [] };
  if (reasoning.kind === "budget") {
    const budget = reasoning.tokens;
    if (budget < anthropicMinimumThinkingBudget) {
      return { maxTokens, warnings: [dropOrRefuseReasoning(request, `Anthropic takes a thinking budget (reasoning.max_tokens) of at least ${anthropicMinimumThinkingBudget} tokens, not ${budget}`)] };
    }
    if (budget < maxTokens) return { thinking: { type: "enabled", budget_tokens: budget }, maxTokens, warnings: [] };
    if (outputCap === null) return { thinking: { type: "enabled", budget_tokens: budget }, maxTokens: budget + anthropicFallbackMaxTokens, warnings: [] };
    return {
      maxTokens,
      warnings: [dropOrRefuseReasoning(request, `Anthropic takes a thinking budget (reasoning.max_tokens) only below max_tokens, and ${budget} is not below this request's output cap of ${maxTokens}`)],
    };
  }
  const budget = Math.max(anthropicMinimumThinkingBudget, effortBudget(reasoning.effort, maxTokens));
  if (budget < maxTokens) return { thinking: { type: "enabled", budget_tokens: budget }, maxTokens, warnings: [] };
  return {
    maxTokens,
    warnings: [dropOrRefuseReasoning(request, `Anthropic needs max_tokens above its smallest thinking budget of ${anthropicMinimumThinkingBudget} tokens, and this request's output cap is ${maxTokens}`)],
  };
}
