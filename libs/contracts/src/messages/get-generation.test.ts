import { describe, expect, it } from "vitest";
import { generationRecordSchema } from "./get-generation.js";

describe("generationRecordSchema api_type (rolling upgrades)", () => {
  const record = {
    id: "gen-1",
    total_cost: 0,
    created_at: new Date(0).toISOString(),
    model: "openai/gpt-4o",
    streamed: false,
    cancelled: false,
    provider_name: null,
    latency: 0,
    generation_time: 0,
    finish_reason: null,
    native_finish_reason: null,
    tokens_prompt: 0,
    tokens_completion: 0,
    native_tokens_prompt: 0,
    native_tokens_completion: 0,
    native_tokens_reasoning: 0,
    native_tokens_cached: 0,
    usage: 0,
    is_byok: false,
    upstream_id: null,
    provider_responses: [],
  };

  it("accepts a value a newer metadata-logging may send, and null, so ingress does not answer 500", () => {
    for (const apiType of ["completions", "embeddings", "responses", null]) {
      expect(generationRecordSchema.safeParse({ ...record, api_type: apiType }).success).toBe(true);
    }
  });
});
