import { generationRecordSchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { presentGeneration } from "./present-generation.js";

describe("presentGeneration", () => {
  it("answers in OpenRouter's GET /generation shape", () => {
    const record = presentGeneration({
      id: "gen-01",
      account_id: "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11",
      key_id: "5a0f2d8e-7c53-4f8e-b1f1-0b7b1c8d9e01",
      model: "openai/gpt-4o-mini",
      provider_id: "openai",
      provider_name: "OpenAI",
      endpoint_id: "openai/gpt-4o-mini@openai",
      tokens_prompt: 1000,
      tokens_completion: 1000,
      tokens_cached: 200,
      tokens_cache_write: 0,
      tokens_reasoning: 50,
      usage_estimated: false,
      cost_micros: 750,
      latency_ms: 1250,
      time_to_first_token_ms: 300,
      finish_reason: "stop",
      native_finish_reason: "stop",
      streamed: true,
      cancelled: false,
      status: "success",
      error_code: null,
      upstream_id: "chatcmpl-1",
      attempts: [
        { endpointId: "openai/gpt-4o-mini@azure", providerId: "azure", status: 502, errorCode: "upstream_error", modelId: "openai/gpt-4o-mini", providerName: "Azure", latencyMs: 420 },
        // Recorded before attempts carried a model, a name and a latency.
        { endpointId: "openai/gpt-4o-mini@openai", providerId: "openai", status: 200, errorCode: null },
      ],
      created_at: new Date("2026-11-25T14:00:00.000Z"),
      api_type: "completions",
    });
    expect(record).toEqual({
      id: "gen-01",
      total_cost: 0.00075,
      created_at: "2026-11-25T14:00:00.000Z",
      model: "openai/gpt-4o-mini",
      streamed: true,
      cancelled: false,
      provider_name: "OpenAI",
      latency: 1250,
      generation_time: 1250,
      finish_reason: "stop",
      native_finish_reason: "stop",
      tokens_prompt: 1000,
      tokens_completion: 1000,
      native_tokens_prompt: 1000,
      native_tokens_completion: 1000,
      native_tokens_reasoning: 50,
      native_tokens_cached: 200,
      usage: 0.00075,
      is_byok: false,
      upstream_id: "chatcmpl-1",
      api_type: "completions",
      provider_responses: [
        { endpoint_id: "openai/gpt-4o-mini@azure", model_permaslug: "openai/gpt-4o-mini", provider_name: "Azure", status: 502, latency: 420, is_byok: false },
        { endpoint_id: "openai/gpt-4o-mini@openai", model_permaslug: null, provider_name: null, status: 200, latency: null, is_byok: false },
      ],
    });
    expect(generationRecordSchema.parse(record)).toEqual(record);
  });

  it("lists no provider responses when the attempts column does not parse", () => {
    const row = { attempts: [{ endpointId: 7 }] } as unknown as Parameters<typeof presentGeneration>[0];
    expect(presentGeneration({ ...row, cost_micros: 0, created_at: new Date(0), api_type: "completions" } as Parameters<typeof presentGeneration>[0]).provider_responses).toEqual([]);
  });

  it("names the API that produced the generation as its api_type column says (issue 11)", () => {
    const row = { attempts: [], cost_micros: 0, created_at: new Date(0), api_type: "embeddings" } as unknown as Parameters<typeof presentGeneration>[0];
    expect(presentGeneration(row).api_type).toBe("embeddings");
  });

  it("answers null for an api_type this release does not know (written by a newer one), rather than failing the lookup", () => {
    const row = { attempts: [], cost_micros: 0, created_at: new Date(0), api_type: "responses" } as unknown as Parameters<typeof presentGeneration>[0];
    expect(presentGeneration(row).api_type).toBeNull();
  });
});
