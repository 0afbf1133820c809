import { describe, expect, it } from "vitest";
import { generationCompletedSchema } from "./generation-completed.js";

/** A completion fact as ingress published it before usage had cache writes and prices had splits. */
const olderFact = {
  generationId: "gen-old",
  accountId: "00000000-0000-4000-8000-000000000001",
  keyId: "00000000-0000-4000-8000-000000000002",
  modelId: "openai/gpt-4o-mini",
  providerId: "openai",
  providerName: "OpenAI",
  endpointId: "openai/gpt-4o-mini@openai",
  price: { promptPicosPerToken: "150000", completionPicosPerToken: "600000" },
  usage: { promptTokens: 1000, completionTokens: 1000, cachedPromptTokens: 200, reasoningTokens: 0 },
  usageEstimated: false,
  status: "success",
  errorCode: null,
  finishReason: "stop",
  nativeFinishReason: "stop",
  streamed: false,
  upstreamId: null,
  latencyMs: 420,
  timeToFirstTokenMs: null,
  attempts: [],
  createdAt: "2026-11-30T12:00:00.000Z",
};

describe("generationCompletedSchema", () => {
  it("still parses a fact from before cache-write tokens, reading them as none", () => {
    const fact = generationCompletedSchema.parse(olderFact);
    expect(fact.usage).toEqual({ promptTokens: 1000, completionTokens: 1000, cachedPromptTokens: 200, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(fact.price).toEqual({ promptPicosPerToken: "150000", completionPicosPerToken: "600000" });
  });

  it("keeps the split prices and cache writes of a newer fact", () => {
    const price = { ...olderFact.price, cacheReadPicosPerToken: "75000", cacheWritePicosPerToken: "187500", reasoningPicosPerToken: "600000", requestPicos: "0", imagePicos: "1" };
    const fact = generationCompletedSchema.parse({ ...olderFact, price, usage: { ...olderFact.usage, cacheWriteTokens: 300 } });
    expect(fact.price).toEqual(price);
    expect(fact.usage.cacheWriteTokens).toBe(300);
  });

  it("parses a fact without apiType (older than the field) and keeps a newer fact's, refusing an API it does not know", () => {
    expect(generationCompletedSchema.parse(olderFact).apiType).toBeUndefined();
    expect(generationCompletedSchema.parse({ ...olderFact, apiType: "embeddings" }).apiType).toBe("embeddings");
    expect(generationCompletedSchema.safeParse({ ...olderFact, apiType: "rerank" }).success).toBe(false);
  });

  it("refuses a negative cache-write count or a price that is not a whole number of pico-dollars", () => {
    expect(generationCompletedSchema.safeParse({ ...olderFact, usage: { ...olderFact.usage, cacheWriteTokens: -1 } }).success).toBe(false);
    expect(generationCompletedSchema.safeParse({ ...olderFact, price: { ...olderFact.price, cacheReadPicosPerToken: "0.5" } }).success).toBe(false);
  });
});
