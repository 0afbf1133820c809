import { z } from "zod";
import { generationIdSchema } from "../identifiers.js";

/**
 * Asks metadata-logging for one generation's record. `accountId` is the authenticated caller's account:
 * a generation of another account is answered exactly like an unknown one (404), so ids reveal nothing.
 */
export const getGenerationRequestSchema = z.object({
  id: generationIdSchema,
  accountId: z.string(),
});
export type GetGenerationRequest = z.infer<typeof getGenerationRequestSchema>;

/** One generation in the shape of OpenRouter's `GET /api/v1/generation` `data`. Metadata only, never text. */
export const generationRecordSchema = z.object({
  id: z.string(),
  /** USD, display only. */
  total_cost: z.number(),
  created_at: z.string(),
  model: z.string(),
  streamed: z.boolean(),
  cancelled: z.boolean(),
  provider_name: z.string().nullable(),
  /** Total latency in milliseconds, as the client saw it. */
  latency: z.number().int().nonnegative(),
  /** Milliseconds spent generating; we measure no separate upstream time, so it equals `latency`. */
  generation_time: z.number().int().nonnegative(),
  finish_reason: z.string().nullable(),
  native_finish_reason: z.string().nullable(),
  tokens_prompt: z.number().int().nonnegative(),
  tokens_completion: z.number().int().nonnegative(),
  native_tokens_prompt: z.number().int().nonnegative(),
  native_tokens_completion: z.number().int().nonnegative(),
  native_tokens_reasoning: z.number().int().nonnegative(),
  native_tokens_cached: z.number().int().nonnegative(),
  /** USD charged, equal to `total_cost` (no BYOK yet). */
  usage: z.number(),
  is_byok: z.literal(false),
  upstream_id: z.string().nullable(),
  /**
   * The API that produced it: `completions` (chat or legacy text completions) or `embeddings` today
   * (generationApiTypes). Any text or null is accepted: ingress validates the reply of metadata-logging, which
   * may be a newer release during a rolling upgrade, and a value added later must not turn GET /generation
   * into a 500 here (a release that took only these two literals did exactly that with `embeddings`).
   */
  api_type: z.string().nullable(),
  /**
   * Every attempt, fallbacks included, in order (OpenRouter's `provider_responses`): `status` is the
   * provider's HTTP-like status (200 for the one that served), `latency` milliseconds until its first
   * output or its failure (null in records written before it was measured).
   */
  provider_responses: z.array(
    z.object({
      endpoint_id: z.string(),
      model_permaslug: z.string().nullable(),
      provider_name: z.string().nullable(),
      status: z.number().int().nullable(),
      latency: z.number().nullable(),
      is_byok: z.literal(false),
    }),
  ),
});
export type GenerationRecord = z.infer<typeof generationRecordSchema>;

export const getGenerationReplySchema = z.object({ data: generationRecordSchema });
export type GetGenerationReply = z.infer<typeof getGenerationReplySchema>;
