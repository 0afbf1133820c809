import { z } from "zod";

/**
 * The parts of Anthropic's Messages API wire format we read (https://docs.anthropic.com/en/api/messages,
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming). Loose objects: Anthropic adds block and
 * event types over time (citations, server tools, ...), and an unknown field must not break an answer.
 */

const tokenCountSchema = z.number().int().nonnegative();

export const anthropicUsageSchema = z.looseObject({
  input_tokens: tokenCountSchema.nullish(),
  output_tokens: tokenCountSchema.nullish(),
  cache_creation_input_tokens: tokenCountSchema.nullish(),
  cache_read_input_tokens: tokenCountSchema.nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

/** A content block of a response; only the types we translate are read, others are skipped. */
const contentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.string().nullish(),
  /** Anthropic's signature over a thinking block's text, to be sent back with it. */
  signature: z.string().nullish(),
  /** A redacted_thinking block's encrypted reasoning. */
  data: z.string().nullish(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.unknown().optional(),
});
export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;

export const anthropicMessageSchema = z.looseObject({
  id: z.string().nullish(),
  type: z.literal("message").optional(),
  content: z.array(contentBlockSchema),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

const errorObjectSchema = z.looseObject({ type: z.string().nullish(), message: z.string().nullish() });

/** `{"type":"error","error":{"type","message"}}`, Anthropic's error body and its stream `error` event. */
export const anthropicErrorBodySchema = z.looseObject({ error: errorObjectSchema });

/** One stream event's data; `type` repeats the SSE event name. */
export const anthropicStreamEventSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("message_start"), message: z.looseObject({ id: z.string().nullish(), usage: anthropicUsageSchema.nullish() }) }),
  z.looseObject({ type: z.literal("content_block_start"), index: z.number().int().nonnegative(), content_block: contentBlockSchema }),
  z.looseObject({
    type: z.literal("content_block_delta"),
    index: z.number().int().nonnegative(),
    delta: z.looseObject({
      type: z.string(),
      text: z.string().nullish(),
      partial_json: z.string().nullish(),
      thinking: z.string().nullish(),
      signature: z.string().nullish(),
    }),
  }),
  z.looseObject({ type: z.literal("content_block_stop"), index: z.number().int().nonnegative() }),
  z.looseObject({ type: z.literal("message_delta"), delta: z.looseObject({ stop_reason: z.string().nullish() }), usage: anthropicUsageSchema.nullish() }),
  z.looseObject({ type: z.literal("message_stop") }),
  z.looseObject({ type: z.literal("ping") }),
  z.looseObject({ type: z.literal("error"), error: errorObjectSchema }),
]);
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;
