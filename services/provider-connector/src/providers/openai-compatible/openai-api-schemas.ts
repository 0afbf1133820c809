import { z } from "zod";

/**
 * The parts of OpenAI's chat completions wire format we read
 * (https://platform.openai.com/docs/api-reference/chat). Loose and mostly nullish on purpose:
 * OpenAI-compatible vendors add fields and send `null` where OpenAI omits a key, and neither may break us.
 */

const tokenCountSchema = z.number().int().nonnegative();

export const openAIUsageSchema = z.looseObject({
  prompt_tokens: tokenCountSchema.nullish(),
  completion_tokens: tokenCountSchema.nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: tokenCountSchema.nullish(), cache_write_tokens: tokenCountSchema.nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: tokenCountSchema.nullish() }).nullish(),
});
export type OpenAIUsage = z.infer<typeof openAIUsageSchema>;

/** A token's log probability; loose so a vendor's extra fields do not break us, copied field by field into the contract's shape. */
const tokenLogprobSchema = z.looseObject({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number().int()).nullish(),
  top_logprobs: z.array(z.looseObject({ token: z.string(), logprob: z.number(), bytes: z.array(z.number().int()).nullish() })).nullish(),
});
export type OpenAITokenLogprob = z.infer<typeof tokenLogprobSchema>;

/** `choices[].logprobs`: present when the client asked for `logprobs`. */
const choiceLogprobsSchema = z.looseObject({
  content: z.array(tokenLogprobSchema).nullish(),
  refusal: z.array(tokenLogprobSchema).nullish(),
});
export type OpenAIChoiceLogprobs = z.infer<typeof choiceLogprobsSchema>;

const functionCallSchema = z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() });

export const openAIChatCompletionSchema = z.looseObject({
  id: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: z.number().int().nullish(),
      message: z.looseObject({
        content: z.string().nullish(),
        refusal: z.string().nullish(),
        // Reasoning text: `reasoning` (OpenRouter, vLLM, Groq) or `reasoning_content` (DeepSeek and others).
        reasoning: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        /** OpenRouter (as an upstream) and vendors copying it return the reasoning's details too. */
        reasoning_details: z.array(z.unknown()).nullish(),
        tool_calls: z.array(z.looseObject({ id: z.string().nullish(), function: functionCallSchema })).nullish(),
      }),
      finish_reason: z.string().nullish(),
      logprobs: choiceLogprobsSchema.nullish(),
    }),
  ),
  usage: openAIUsageSchema.nullish(),
});
export type OpenAIChatCompletion = z.infer<typeof openAIChatCompletionSchema>;

const errorObjectSchema = z.looseObject({
  message: z.string().nullish(),
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

export const openAIChatChunkSchema = z.looseObject({
  id: z.string().nullish(),
  // The final usage chunk has `choices: []`; some vendors omit the key there.
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().nullish(),
        delta: z
          .looseObject({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            reasoning: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            reasoning_details: z.array(z.unknown()).nullish(),
            tool_calls: z
              .array(z.looseObject({ index: z.number().int().nonnegative(), id: z.string().nullish(), function: functionCallSchema.nullish() }))
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
        logprobs: choiceLogprobsSchema.nullish(),
      }),
    )
    .nullish(),
  usage: openAIUsageSchema.nullish(),
  /** Some vendors report a failure inside an HTTP 200 stream. */
  error: errorObjectSchema.nullish(),
});
export type OpenAIChatChunk = z.infer<typeof openAIChatChunkSchema>;

/** `{"error": {"message", "type", "code"}}`, OpenAI's error body. */
export const openAIErrorBodySchema = z.looseObject({ error: errorObjectSchema });
