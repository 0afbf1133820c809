/** The request field that carries the output cap: Chat Completions has two, and some models take only one. */
export type OutputCapParameter = "max_tokens" | "max_completion_tokens";

/**
 * Upstream model names of OpenAI's reasoning models, which refuse `max_tokens` and take only
 * `max_completion_tokens` ("Unsupported parameter: 'max_tokens' is not supported with this model. Use
 * 'max_completion_tokens' instead"; https://platform.openai.com/docs/guides/reasoning): the o-series (o1,
 * o1-mini, o3, o3-mini, o4-mini, ... and their dated snapshots) and the gpt-5 family, fine-tunes of them
 * (`ft:o4-mini-...`) included.
 */
export const openAIReasoningModelPattern = /^(ft:)?(o\d+(-|$)|gpt-5)/;

/**
 * Which cap field an endpoint's model takes: `max_completion_tokens` when the vendor's config names a
 * pattern and the upstream model matches it, `max_tokens` (what every OpenAI-compatible server accepts)
 * otherwise. A rule on data, not a branch per model: a vendor adds its pattern to its adapter config.
 */
export function chooseOutputCapParameter(upstreamModel: string, maxCompletionTokensModels: RegExp | undefined): OutputCapParameter {
  return maxCompletionTokensModels?.test(upstreamModel) === true ? "max_completion_tokens" : "max_tokens";
}
