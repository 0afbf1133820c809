import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { effortBudget } from "../effort-budget.js";
import type { RequestedReasoning } from "../resolve-reasoning.js";

/** Anthropic's smallest thinking budget (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking). */
export const anthropicMinimumThinkingBudget = 1_024;

/**
 * The Messages API's `thinking` for the client's reasoning request, under the `max_tokens` the request
 * sends: a budget as given, or an effort's share of `max_tokens` (at least Anthropic's minimum of 1,024,
 * OpenRouter's documented floor for efforts). Undefined when no reasoning is asked for or it is turned
 * off (Anthropic's default is no thinking). The budget must stay below `max_tokens`; a request where it
 * cannot is refused naming `reasoning` (retryable: another endpoint of the model may take it) rather than
 * sent with a changed budget.
 */
export function convertToAnthropicThinking(reasoning: RequestedReasoning | undefined, maxTokens: number): { type: "enabled"; budget_tokens: number } | undefined {
  if (reasoning === undefined || reasoning.kind === "off") return undefined;
  const budget = reasoning.kind === "budget" ? reasoning.tokens : Math.max(anthropicMinimumThinkingBudget, effortBudget(reasoning.effort, maxTokens));
  if (budget >= maxTokens) {
    throw new SwitchboardError(
      gatewayError(
        gatewayErrorCodes.unsupportedParameter,
        400,
        `reasoning: a thinking budget of ${budget} tokens needs max_tokens above it on Anthropic, and this request's output cap is ${maxTokens}; raise max_tokens or lower reasoning.max_tokens`,
        { retryable: true, metadata: { parameter: "reasoning" } },
      ),
    );
  }
  return { type: "enabled", budget_tokens: budget };
}
