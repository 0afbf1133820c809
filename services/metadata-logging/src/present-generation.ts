import { generationApiTypeSchema, generationAttemptSchema, microsToUsdNumber, type GenerationRecord } from "@switchboard/contracts";
import type { GenerationRow } from "@switchboard/db";
import { z } from "zod";

const storedAttemptsSchema = z.array(generationAttemptSchema);

/**
 * A generation in OpenRouter's `GET /api/v1/generation` shape. We count tokens only as the provider
 * reports them, so the normalized and native counts are the same numbers.
 */
export function presentGeneration(row: GenerationRow): GenerationRecord {
  const costUsd = microsToUsdNumber(row.cost_micros);
  return {
    id: row.id,
    total_cost: costUsd,
    created_at: row.created_at.toISOString(),
    model: row.model,
    streamed: row.streamed,
    cancelled: row.cancelled,
    provider_name: row.provider_name,
    latency: row.latency_ms,
    generation_time: row.latency_ms,
    finish_reason: row.finish_reason,
    native_finish_reason: row.native_finish_reason,
    tokens_prompt: row.tokens_prompt,
    tokens_completion: row.tokens_completion,
    native_tokens_prompt: row.tokens_prompt,
    native_tokens_completion: row.tokens_completion,
    native_tokens_reasoning: row.tokens_reasoning,
    native_tokens_cached: row.tokens_cached,
    usage: costUsd,
    is_byok: false,
    upstream_id: row.upstream_id,
    api_type: apiTypeOf(row.api_type),
    provider_responses: providerResponsesOf(row.attempts),
  };
}

/**
 * The stored API as this release names it. A value it does not know (written by a newer release, once a
 * migration widened the column's CHECK) is answered as null, which OpenRouter's record allows, rather than
 * failing the lookup.
 */
function apiTypeOf(stored: string): GenerationRecord["api_type"] {
  const parsed = generationApiTypeSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** The attempts column in OpenRouter's `provider_responses` shape; a row whose column does not parse lists none rather than failing the lookup. */
function providerResponsesOf(attempts: unknown): GenerationRecord["provider_responses"] {
  const parsed = storedAttemptsSchema.safeParse(attempts);
  if (!parsed.success) return [];
  return parsed.data.map((attempt) => ({
    endpoint_id: attempt.endpointId,
    model_permaslug: attempt.modelId ?? null,
    provider_name: attempt.providerName ?? null,
    status: attempt.status,
    latency: attempt.latencyMs ?? null,
    is_byok: false,
  }));
}
