import { embeddingsResponseSchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { buildEmbeddingsResponse, encodeEmbeddingBase64 } from "./build-embeddings-response.js";

const identity = { id: "gen-1", created: 1, model: "openai/text-embedding-3-small", provider: "OpenAI" };
const usage = { promptTokens: 14, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

describe("embeddings response", () => {
  it("encodes base64 as little-endian float32, as OpenAI's SDKs decode it", () => {
    const encoded = encodeEmbeddingBase64([0.5, -1, 0.0023064255]);
    const bytes = Buffer.from(encoded, "base64");
    expect(bytes.length).toBe(12);
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([0.5, -1]);
    expect(bytes.readFloatLE(8)).toBeCloseTo(0.0023064255, 9);
    // The OpenAI SDK's own decoding: a Float32Array over the bytes.
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 3))).toEqual([0.5, -1, Math.fround(0.0023064255)]);
  });

  it("answers OpenAI's list shape with the cost in USD", () => {
    const response = buildEmbeddingsResponse(identity, [[1, 2], [3, 4]], "float", usage, 1);
    expect(embeddingsResponseSchema.parse(response)).toEqual({
      id: "gen-1",
      object: "list",
      model: "openai/text-embedding-3-small",
      provider: "OpenAI",
      data: [
        { object: "embedding", index: 0, embedding: [1, 2] },
        { object: "embedding", index: 1, embedding: [3, 4] },
      ],
      usage: { prompt_tokens: 14, total_tokens: 14, cost: 0.000001, is_byok: false },
    });
    expect(buildEmbeddingsResponse(identity, [[1, 2]], "base64", usage, 1).data[0]?.embedding).toBe(encodeEmbeddingBase64([1, 2]));
  });
});
