import { z } from "zod";
import { chatUsageSchema, finishReasonSchema } from "../chat/chat-response.js";
import { httpErrorBodySchema } from "../errors.js";

/** A choice's log probabilities in the completions shape (one entry per token, in order). */
export const completionLogprobsSchema = z.object({
  tokens: z.array(z.string()),
  token_logprobs: z.array(z.number()),
  top_logprobs: z.array(z.record(z.string(), z.number())).nullable(),
  text_offset: z.array(z.number().int()),
});
export type CompletionLogprobs = z.infer<typeof completionLogprobsSchema>;

const completionChoiceSchema = z.object({
  text: z.string(),
  index: z.number().int(),
  logprobs: completionLogprobsSchema.nullable(),
  finish_reason: finishReasonSchema.nullable(),
  native_finish_reason: z.string().nullable().optional(),
});

/**
 * A legacy text completion, whole or as one streamed chunk (OpenAI sends the same `text_completion`
 * object for both), plus OpenRouter's `provider` and `usage.cost`. The last chunk of a stream carries
 * `usage` with no choices; a stream that fails after its headers ends with a chunk carrying `error`.
 */
export const textCompletionSchema = z.object({
  id: z.string(),
  object: z.literal("text_completion"),
  created: z.number().int(),
  model: z.string(),
  provider: z.string(),
  system_fingerprint: z.string().nullable().optional(),
  choices: z.array(completionChoiceSchema),
  usage: chatUsageSchema.optional(),
  error: httpErrorBodySchema.shape.error.optional(),
});
export type TextCompletion = z.infer<typeof textCompletionSchema>;
