import { z } from "zod";

/** Reasoning efforts OpenRouter names in `reasoning.effort` and `reasoning_effort`. */
export const reasoningEfforts = ["max", "xhigh", "high", "medium", "low", "minimal", "none"] as const;
export type ReasoningEffort = (typeof reasoningEfforts)[number];

/**
 * The request's `reasoning` object: an effort (OpenAI style) or a token budget (Anthropic / Gemini style),
 * `exclude` to reason without returning the text, `enabled` alone for the default effort. Loose: OpenRouter
 * adds options (`summary`, `context`) that only some providers use.
 */
export const reasoningRequestSchema = z.looseObject({
  effort: z.enum(reasoningEfforts).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  exclude: z.boolean().nullish(),
  enabled: z.boolean().nullish(),
});
export type ReasoningRequest = z.infer<typeof reasoningRequestSchema>;
