import { z } from "zod";

/**
 * The parts of Amazon Bedrock's Converse / ConverseStream wire format we read
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html,
 * API_runtime_ConverseStream.html). Loose objects: AWS adds fields (metrics, trace, citations).
 */

const tokenCountSchema = z.number().int().nonnegative();

export const bedrockUsageSchema = z.looseObject({
  inputTokens: tokenCountSchema.nullish(),
  outputTokens: tokenCountSchema.nullish(),
  cacheReadInputTokens: tokenCountSchema.nullish(),
  cacheWriteInputTokens: tokenCountSchema.nullish(),
});
export type BedrockUsage = z.infer<typeof bedrockUsageSchema>;

const contentBlockSchema = z.looseObject({
  text: z.string().nullish(),
  toolUse: z.looseObject({ toolUseId: z.string(), name: z.string(), input: z.unknown().optional() }).nullish(),
  reasoningContent: z
    .looseObject({
      reasoningText: z.looseObject({ text: z.string().nullish(), signature: z.string().nullish() }).nullish(),
      /** Reasoning the model provider encrypted (Anthropic's redacted thinking), base64. */
      redactedContent: z.string().nullish(),
    })
    .nullish(),
});

export const bedrockConverseResponseSchema = z.looseObject({
  output: z.looseObject({ message: z.looseObject({ content: z.array(contentBlockSchema) }) }),
  stopReason: z.string().nullish(),
  usage: bedrockUsageSchema.nullish(),
});
export type BedrockConverseResponse = z.infer<typeof bedrockConverseResponseSchema>;

/** ConverseStream event payloads, by the event type the event-stream framing names. */
export const bedrockStreamPayloadSchemas = {
  messageStart: z.looseObject({ role: z.string().nullish() }),
  contentBlockStart: z.looseObject({
    contentBlockIndex: z.number().int().nonnegative(),
    start: z.looseObject({ toolUse: z.looseObject({ toolUseId: z.string(), name: z.string() }).nullish() }).nullish(),
  }),
  contentBlockDelta: z.looseObject({
    contentBlockIndex: z.number().int().nonnegative(),
    delta: z.looseObject({
      text: z.string().nullish(),
      toolUse: z.looseObject({ input: z.string().nullish() }).nullish(),
      reasoningContent: z.looseObject({ text: z.string().nullish(), signature: z.string().nullish(), redactedContent: z.string().nullish() }).nullish(),
    }),
  }),
  messageStop: z.looseObject({ stopReason: z.string().nullish() }),
  metadata: z.looseObject({ usage: bedrockUsageSchema.nullish() }),
} as const;

/** `{"message": "..."}`, Bedrock's error body and exception event payload. */
export const bedrockErrorBodySchema = z.looseObject({ message: z.string().nullish(), Message: z.string().nullish() });
