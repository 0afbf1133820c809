import { z } from "zod";
import { reasoningDetailSchema } from "./reasoning-detail.js";
import { choiceLogprobsSchema } from "./token-logprob.js";

/** `usage` as OpenRouter returns it: native token counts plus the USD cost charged. */
export const chatUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
  /** Breakdowns of prompt_tokens: the tokens read from and written to the provider's prompt cache. */
  prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative(), cache_write_tokens: z.number().int().nonnegative() }).optional(),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().int().nonnegative() }).optional(),
  cost: z.number().nonnegative(),
  is_byok: z.boolean(),
});
export type ChatUsage = z.infer<typeof chatUsageSchema>;

export const responseToolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function"),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export type ResponseToolCall = z.infer<typeof responseToolCallSchema>;

export const finishReasonSchema = z.enum(["stop", "length", "tool_calls", "content_filter", "error"]);
export type FinishReason = z.infer<typeof finishReasonSchema>;

/** Non-streaming chat completion (OpenAI shape plus OpenRouter's `provider` and `usage.cost`). */
export const chatResponseSchema = z.object({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number().int(),
  model: z.string(),
  provider: z.string(),
  system_fingerprint: z.string().nullable(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      finish_reason: finishReasonSchema.nullable(),
      native_finish_reason: z.string().nullable(),
      /** Null unless the client asked for `logprobs` and the provider returned them. */
      logprobs: choiceLogprobsSchema.nullable(),
      message: z.object({
        role: z.literal("assistant"),
        content: z.string().nullable(),
        refusal: z.string().nullable(),
        reasoning: z.string().nullable().optional(),
        /** The reasoning as the provider returned it (text with its signature, or encrypted), for the client to send back. */
        reasoning_details: z.array(reasoningDetailSchema).optional(),
        tool_calls: z.array(responseToolCallSchema).optional(),
      }),
    }),
  ),
  usage: chatUsageSchema,
});
export type ChatResponse = z.infer<typeof chatResponseSchema>;

/**
 * One SSE `data:` chunk of a streamed chat completion. `system_fingerprint` is left out rather than null:
 * OpenRouter's SDK accepts only a string or no field in chunks.
 */
export const chatChunkSchema = z.strictObject({
  id: z.string(),
  object: z.literal("chat.completion.chunk"),
  created: z.number().int(),
  model: z.string(),
  provider: z.string(),
  system_fingerprint: z.string().optional(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({
        role: z.literal("assistant").optional(),
        content: z.string().nullable().optional(),
        refusal: z.string().nullable().optional(),
        reasoning: z.string().nullable().optional(),
        reasoning_details: z.array(reasoningDetailSchema).optional(),
        tool_calls: z
          .array(
            z.object({
              index: z.number().int(),
              id: z.string().optional(),
              type: z.literal("function").optional(),
              function: z.object({ name: z.string().optional(), arguments: z.string().optional() }),
            }),
          )
          .optional(),
      }),
      finish_reason: finishReasonSchema.nullable(),
      native_finish_reason: z.string().nullable().optional(),
      logprobs: choiceLogprobsSchema.nullable().optional(),
    }),
  ),
  usage: chatUsageSchema.optional(),
  error: z.object({ code: z.union([z.number(), z.string()]), message: z.string(), metadata: z.record(z.string(), z.unknown()).optional() }).optional(),
});
export type ChatChunk = z.infer<typeof chatChunkSchema>;
