import { z } from "zod";
import { endpointPriceSchema } from "../pricing/endpoint-price.js";
import { tokenUsageSchema } from "../chat/stream-part.js";
import { leaseHoldSchema } from "./credit-lease.js";

export const generationStatuses = { success: "success", error: "error", cancelled: "cancelled" } as const;
export type GenerationStatus = (typeof generationStatuses)[keyof typeof generationStatuses];

/**
 * Which API produced a generation, as OpenRouter's generation record names it (`api_type`): chat
 * completions and legacy text completions are both `completions` there, embeddings `embeddings`.
 */
export const generationApiTypes = { completions: "completions", embeddings: "embeddings" } as const;
export type GenerationApiType = (typeof generationApiTypes)[keyof typeof generationApiTypes];
export const generationApiTypeSchema = z.enum([generationApiTypes.completions, generationApiTypes.embeddings]);

/** One endpoint tried for a generation, in order. */
export const generationAttemptSchema = z.object({
  endpointId: z.string(),
  providerId: z.string(),
  /** HTTP-like status: 200 when it served, the error status otherwise. */
  status: z.number().int(),
  errorCode: z.string().nullable(),
  /** The model the attempt asked for (differs between attempts under `models` fallback); absent in older facts. */
  modelId: z.string().optional(),
  /** The provider's display name, as `provider_responses` lists it; absent in older facts. */
  providerName: z.string().optional(),
  /** Milliseconds from the attempt's start to its first output or its failure; absent in older facts. */
  latencyMs: z.number().nonnegative().optional(),
  /** Request parameters the endpoint's adapter did not send, by name (never their values); absent when none. */
  droppedParameters: z.array(z.string().max(200)).max(100).optional(),
});
export type GenerationAttempt = z.infer<typeof generationAttemptSchema>;

/**
 * The durable fact that a generation ended (JetStream, message id = generation id). Billing settles the
 * reservation from it and metadata-logging records it. Metadata only: no prompt or completion text.
 */
export const generationCompletedSchema = z.object({
  generationId: z.string(),
  accountId: z.string(),
  keyId: z.string(),
  /** The catalog model and endpoint that served, or the last one tried when none did. */
  modelId: z.string(),
  providerId: z.string().nullable(),
  providerName: z.string().nullable(),
  endpointId: z.string().nullable(),
  price: endpointPriceSchema,
  /** Tokens to charge; zero when nothing was produced. */
  usage: tokenUsageSchema,
  /** True when usage was counted by us (cancelled stream without provider usage), not reported upstream. */
  usageEstimated: z.boolean(),
  status: z.enum(["success", "error", "cancelled"]),
  errorCode: z.string().nullable(),
  finishReason: z.string().nullable(),
  nativeFinishReason: z.string().nullable(),
  streamed: z.boolean(),
  upstreamId: z.string().nullable(),
  latencyMs: z.number().int().nonnegative(),
  timeToFirstTokenMs: z.number().int().nonnegative().nullable(),
  attempts: z.array(generationAttemptSchema),
  createdAt: z.string(),
  /** Set when ingress held the credit against its lease; absent when billing reserved it (or in older facts). */
  lease: leaseHoldSchema.optional(),
  /** The API that produced it; absent in facts older than the field, which were all `completions`. */
  apiType: generationApiTypeSchema.optional(),
});
export type GenerationCompleted = z.infer<typeof generationCompletedSchema>;
