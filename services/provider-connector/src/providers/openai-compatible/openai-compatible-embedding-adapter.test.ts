import { readFile } from "node:fs/promises";
import { gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { azureOpenAIEmbeddingAdapter } from "../azure-openai/azure-openai-embedding-adapter.js";
import { openAIEmbeddingAdapter } from "../openai/openai-embedding-adapter.js";

/** OpenAI's embeddings request and answer (https://platform.openai.com/docs/api-reference/embeddings), vectors shortened with `dimensions`. */
const fixture = JSON.parse(await readFile(new URL("../__fixtures__/openai-embeddings.json", import.meta.url), "utf8")) as {
  request: Record<string, unknown>;
  response: unknown;
};

describe("OpenAI-compatible embedding adapter", () => {
  it("sends OpenAI's embeddings request below the catalog's versioned base URL, always asking for floats", () => {
    const upstream = openAIEmbeddingAdapter.toUpstreamEmbeddingRequest({
      body: { model: "openai/text-embedding-3-small", input: ["The food was delicious and the waiter...", "The service was slow."], dimensions: 4, encoding_format: "base64" },
      upstreamModel: "text-embedding-3-small",
      baseUrl: "https://api.openai.com/v1",
    });
    expect(upstream.url).toBe("https://api.openai.com/v1/embeddings");
    expect(upstream.credential).toEqual({ scheme: "bearer" });
    expect(upstream.body).toEqual(fixture.request);
    expect(upstream.warnings).toEqual([]);
  });

  it("forwards token-id input and `user` as they are, and nothing Switchboard-only", () => {
    const upstream = openAIEmbeddingAdapter.toUpstreamEmbeddingRequest({
      body: { model: "openai/text-embedding-3-small", input: [[1, 2, 3], [4]], user: "user-1", provider: { sort: "price" }, input_type: "query" },
      upstreamModel: "text-embedding-3-small",
      baseUrl: "https://api.openai.com/v1",
    });
    expect(upstream.body).toEqual({ model: "text-embedding-3-small", input: [[1, 2, 3], [4]], encoding_format: "float", user: "user-1" });
  });

  it("reads the vectors in input order and the prompt tokens", () => {
    expect(openAIEmbeddingAdapter.fromUpstreamEmbeddingResponse(fixture.response, 2)).toEqual({
      embeddings: [
        [0.0023064255, -0.009327292, 0.015797347, -0.0077780345],
        [-0.0028842222, 0.011210605, -0.0069023124, 0.0039081233],
      ],
      usage: { promptTokens: 14, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      upstreamId: null,
    });
  });

  it("places vectors by their index when a vendor lists them out of order, and reports no usage when it counts none", () => {
    const answer = openAIEmbeddingAdapter.fromUpstreamEmbeddingResponse(
      { data: [{ index: 1, embedding: [2] }, { index: 0, embedding: [1] }], usage: null },
      2,
    );
    expect(answer.embeddings).toEqual([[1], [2]]);
    expect(answer.usage).toBeNull();
  });

  it("refuses an answer with another number of vectors than inputs, or a repeated index, as a retryable 502", () => {
    for (const [json, count] of [
      [fixture.response, 3],
      [{ data: [{ index: 0, embedding: [1] }, { index: 0, embedding: [2] }] }, 2],
      [{ object: "list" }, 1],
    ] as const) {
      let thrown: unknown;
      try {
        openAIEmbeddingAdapter.fromUpstreamEmbeddingResponse(json, count);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SwitchboardError);
      expect((thrown as SwitchboardError).error).toMatchObject({ code: gatewayErrorCodes.upstreamError, status: 502, retryable: true });
    }
  });

  it("maps OpenAI's error body with the chat adapter's table", async () => {
    const body = await readFile(new URL("../__fixtures__/openai-error-body.json", import.meta.url), "utf8");
    expect(openAIEmbeddingAdapter.fromUpstreamError(429, body)).toMatchObject({ status: 429, retryable: true });
    expect(openAIEmbeddingAdapter.fromUpstreamError(400, body)).toMatchObject({ status: 400, retryable: false });
  });

  it("puts an Azure deployment in the path, keeps the api-version and sends the key as api-key", () => {
    const upstream = azureOpenAIEmbeddingAdapter.toUpstreamEmbeddingRequest({
      body: { model: "openai/text-embedding-3-small", input: "hello" },
      upstreamModel: "embed-small",
      baseUrl: "https://example.openai.azure.com/openai?api-version=2024-10-21",
    });
    expect(upstream.url).toBe("https://example.openai.azure.com/openai/deployments/embed-small/embeddings?api-version=2024-10-21");
    expect(upstream.credential).toEqual({ scheme: "header", headerName: "api-key" });
  });
});
