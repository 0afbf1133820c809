import { describe, expect, it } from "vitest";
import { convertOpenAIUsage } from "./convert-openai-usage.js";

describe("convertOpenAIUsage", () => {
  it("keeps OpenAI's totals and copies the cached and reasoning breakdowns", () => {
    expect(
      convertOpenAIUsage({
        prompt_tokens: 120,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 256 },
      }),
    ).toEqual({ promptTokens: 120, completionTokens: 300, cachedPromptTokens: 100, cacheWriteTokens: 0, reasoningTokens: 256 });
  });

  it("copies the cache-write breakdown OpenRouter reports (prompt_tokens_details.cache_write_tokens)", () => {
    expect(
      convertOpenAIUsage({ prompt_tokens: 2_000, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 1_500, cache_write_tokens: 400 } }),
    ).toEqual({ promptTokens: 2_000, completionTokens: 10, cachedPromptTokens: 1_500, cacheWriteTokens: 400, reasoningTokens: 0 });
  });

  it("treats missing or null breakdowns as zero", () => {
    expect(convertOpenAIUsage({ prompt_tokens: 5, completion_tokens: 0, prompt_tokens_details: null })).toEqual({
      promptTokens: 5,
      completionTokens: 0,
      cachedPromptTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it.each([
    ["completion_tokens is null", { prompt_tokens: 5, completion_tokens: null }],
    ["completion_tokens is missing", { prompt_tokens: 5 }],
    ["prompt_tokens is null", { prompt_tokens: null, completion_tokens: 7 }],
    ["prompt_tokens is missing", { completion_tokens: 7, completion_tokens_details: { reasoning_tokens: 2 } }],
  ])("reports no usage when %s, so ingress estimates instead of billing zero", (_label, usage) => {
    expect(convertOpenAIUsage(usage)).toBeUndefined();
  });
});
