import { z } from "zod";
import { gatewayErrorSchema } from "../errors.js";
import { finishReasonSchema } from "./chat-response.js";
import { reasoningDetailSchema } from "./reasoning-detail.js";
import { tokenLogprobSchema } from "./token-logprob.js";
import { upstreamWarningSchema } from "./upstream-warning.js";

/**
 * Token counts as the provider reported them, normalized across providers to OpenAI's (and OpenRouter's)
 * meaning: `promptTokens` includes the cached-read and cache-write tokens, `completionTokens` includes the
 * reasoning tokens; the other counts are breakdowns of those totals, not additions.
 */
export const tokenUsageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** Prompt tokens read from the provider's cache (`prompt_tokens_details.cached_tokens`). */
  cachedPromptTokens: z.number().int().nonnegative().default(0),
  /** Prompt tokens written to the provider's cache (`prompt_tokens_details.cache_write_tokens`); 0 in older facts. */
  cacheWriteTokens: z.number().int().nonnegative().default(0),
  /** Completion tokens spent reasoning (`completion_tokens_details.reasoning_tokens`). */
  reasoningTokens: z.number().int().nonnegative().default(0),
  /**
   * Images in the request, priced per image when the endpoint has an image price. Absent: none (providers
   * bill images as prompt tokens, which is how they are charged today; nothing sets it yet).
   */
  inputImages: z.number().int().nonnegative().optional(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

/**
 * What the connector sends back to ingress for one generation, in order, each with a sequence number so a
 * lost message is detected rather than silently producing a truncated answer. Only ingress frames SSE.
 */
export const streamPartSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("stream-start"),
    seq: z.number().int(),
    upstreamId: z.string().nullable(),
    /** Parameters of the client's request the endpoint did not receive, by name (absent: none). */
    warnings: z.array(upstreamWarningSchema).optional(),
  }),
  z.object({ type: z.literal("text-delta"), seq: z.number().int(), text: z.string() }),
  /** Text of the model declining the request (OpenAI's `refusal`), kept apart from the content as OpenAI does. */
  z.object({ type: z.literal("refusal-delta"), seq: z.number().int(), text: z.string() }),
  /** Log probabilities of the tokens just sent, when the client asked for `logprobs`. */
  z.object({
    type: z.literal("logprobs-delta"),
    seq: z.number().int(),
    content: z.array(tokenLogprobSchema).optional(),
    refusal: z.array(tokenLogprobSchema).optional(),
  }),
  /**
   * Reasoning text (`delta.reasoning`); `detail` is the same text as the `reasoning_details` entry it
   * extends, when the provider's reasoning can be sent back (signed or attributed to its format).
   */
  z.object({ type: z.literal("reasoning-delta"), seq: z.number().int(), text: z.string(), detail: reasoningDetailSchema.optional() }),
  /**
   * A `reasoning_details` entry, or a piece of one, without readable text: a signature over earlier text,
   * encrypted reasoning. Entries with the same `index` are one detail: text and summaries concatenate, a
   * signature or data is set.
   */
  z.object({ type: z.literal("reasoning-detail"), seq: z.number().int(), detail: reasoningDetailSchema }),
  /**
   * Reasoning the model produced but the client asked not to see (`reasoning.exclude`): no text, only its
   * UTF-8 size. It is output all the same (the provider bills it), so it commits the attempt (no fallback
   * once the model is thinking) and a cancelled or failed stream is charged for it. Never sent to the client.
   */
  z.object({ type: z.literal("hidden-reasoning-delta"), seq: z.number().int(), outputBytes: z.number().int().nonnegative() }),
  z.object({
    type: z.literal("tool-call-delta"),
    seq: z.number().int(),
    index: z.number().int().nonnegative(),
    id: z.string().optional(),
    name: z.string().optional(),
    argumentsDelta: z.string(),
  }),
  z.object({
    type: z.literal("finish"),
    seq: z.number().int(),
    finishReason: finishReasonSchema,
    nativeFinishReason: z.string().nullable(),
  }),
  z.object({ type: z.literal("usage"), seq: z.number().int(), usage: tokenUsageSchema }),
  /**
   * One vector of an embeddings generation, for the input at `index`. One part per vector, so a large
   * batch crosses the bus in messages of one vector each rather than one message over NATS's max_payload.
   */
  z.object({ type: z.literal("embedding"), seq: z.number().int(), index: z.number().int().nonnegative(), embedding: z.array(z.number()) }),
  z.object({ type: z.literal("stream-end"), seq: z.number().int() }),
  /** Sent every few seconds while the upstream call runs, so ingress tells a silent model from a dead connector. */
  z.object({ type: z.literal("heartbeat"), seq: z.number().int() }),
  z.object({
    type: z.literal("error"),
    seq: z.number().int(),
    error: gatewayErrorSchema,
    /** True when no output reached the connector before the failure, so another endpoint may be tried. */
    beforeFirstToken: z.boolean(),
  }),
]);
export type StreamPart = z.infer<typeof streamPartSchema>;

/**
 * What one message on an attempt's inbox carries, read as a list: one part (streaming), or a whole
 * non-streamed answer and its end as an array of consecutive parts, so that answer crosses the bus once.
 */
export const streamPartsMessageSchema = z.union([streamPartSchema.transform((part) => [part]), z.array(streamPartSchema).min(1)]);
/** A stream part before the connector numbers it. */
export type UnnumberedStreamPart = StreamPart extends infer Part
  ? Part extends { seq: number }
    ? Omit<Part, "seq">
    : never
  : never;
