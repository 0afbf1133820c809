import { z } from "zod";

/**
 * Who produced a reasoning detail, so it goes back only to an API that can check it (OpenRouter's
 * `format`): Anthropic signs its thinking blocks, Gemini its thought signatures, and neither accepts the
 * other's. `unknown` for reasoning text of an OpenAI-compatible vendor.
 */
export const reasoningFormats = {
  anthropic: "anthropic-claude-v1",
  gemini: "google-gemini-v1",
  unknown: "unknown",
} as const;
export type ReasoningFormat = (typeof reasoningFormats)[keyof typeof reasoningFormats];

const commonFields = {
  /** Ties an encrypted detail to the tool call it belongs to (Gemini's thought signature of a function call). */
  id: z.string().nullish(),
  format: z.string().nullish(),
  /** Position among the generation's reasoning details; stream deltas with the same index belong together. */
  index: z.number().int().nonnegative().nullish(),
};

/**
 * One entry of `reasoning_details` (OpenRouter's `ReasoningDetailUnion`,
 * https://openrouter.ai/docs/guides/best-practices/reasoning-tokens): readable reasoning text (with the
 * provider's signature over it), a summary, or reasoning the provider returns only encrypted. Clients
 * send them back unchanged on the assistant message so that a provider can continue its own reasoning
 * across tool-call turns. Loose: fields added later travel unchanged.
 */
export const reasoningDetailSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("reasoning.text"), text: z.string().nullish(), signature: z.string().nullish(), ...commonFields }),
  z.looseObject({ type: z.literal("reasoning.summary"), summary: z.string(), ...commonFields }),
  z.looseObject({ type: z.literal("reasoning.encrypted"), data: z.string(), ...commonFields }),
]);
export type ReasoningDetail = z.infer<typeof reasoningDetailSchema>;
