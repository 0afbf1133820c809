import { z } from "zod";

/**
 * One generated token's log probability, as OpenAI's Chat Completions API returns it in
 * `choices[].logprobs.content[]` / `.refusal[]` (ChatCompletionTokenLogprob,
 * https://platform.openai.com/docs/api-reference/chat/object). `bytes` is null for tokens without a
 * byte representation.
 */
export const tokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number().int()).nullable(),
  top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number(), bytes: z.array(z.number().int()).nullable() })),
});
export type TokenLogprob = z.infer<typeof tokenLogprobSchema>;

/** A choice's `logprobs` object: per-token log probabilities of the content and of a refusal. */
export const choiceLogprobsSchema = z.object({
  content: z.array(tokenLogprobSchema).nullable(),
  refusal: z.array(tokenLogprobSchema).nullable(),
});
export type ChoiceLogprobs = z.infer<typeof choiceLogprobsSchema>;
