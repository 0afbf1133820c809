import { readFile } from "node:fs/promises";
import { gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { geminiEmbeddingAdapter } from "./gemini-embedding-adapter.js";

/** batchEmbedContents as https://ai.google.dev/api/embeddings#method:-models.batchembedcontents shows it, vectors shortened. */
const fixture = JSON.parse(await readFile(new URL("../__fixtures__/gemini-batch-embed-contents.json", import.meta.url), "utf8")) as {
  request: Record<string, unknown>;
  response: unknown;
};

function thrownBy(action: () => unknown): SwitchboardError {
  try {
    action();
  } catch (error) {
    if (error instanceof SwitchboardError) return error;
    throw error;
  }
  throw new Error("nothing was thrown");
}

describe("Gemini embedding adapter", () => {
  it("sends one EmbedContentRequest per input to batchEmbedContents, dimensions as outputDimensionality, the key in x-goog-api-key", () => {
    const upstream = geminiEmbeddingAdapter.toUpstreamEmbeddingRequest({
      body: { model: "google/gemini-embedding-001", input: ["What is the meaning of life?", "How much wood would a woodchuck chuck?"], dimensions: 4 },
      upstreamModel: "gemini-embedding-001",
      baseUrl: "https://generativelanguage.googleapis.com",
    });
    expect(upstream.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(upstream.credential).toEqual({ scheme: "header", headerName: "x-goog-api-key" });
    expect(upstream.body).toEqual(fixture.request);
    expect(upstream.warnings).toEqual([]);
  });

  it("takes a single string, and names `user` in a warning since Gemini has no such field", () => {
    const upstream = geminiEmbeddingAdapter.toUpstreamEmbeddingRequest({
      body: { model: "google/gemini-embedding-001", input: "hello", user: "someone" },
      upstreamModel: "gemini-embedding-001",
      baseUrl: "https://generativelanguage.googleapis.com",
    });
    expect(upstream.body).toEqual({ requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "hello" }] } }] });
    expect(upstream.warnings).toEqual([{ type: "unsupported-parameter", parameter: "user" }]);
  });

  it("refuses token-id input with a 400 naming input: Gemini embeds text only", () => {
    const error = thrownBy(() =>
      geminiEmbeddingAdapter.toUpstreamEmbeddingRequest({ body: { model: "google/gemini-embedding-001", input: [1, 2, 3] }, upstreamModel: "gemini-embedding-001", baseUrl: "https://generativelanguage.googleapis.com" }),
    );
    expect(error.error).toMatchObject({ code: gatewayErrorCodes.unsupportedParameter, status: 400, retryable: false, metadata: { parameter: "input" } });
  });

  it("reads the vectors in order; without a token count it reports none, so ingress estimates", () => {
    expect(geminiEmbeddingAdapter.fromUpstreamEmbeddingResponse(fixture.response, 2)).toEqual({
      embeddings: [
        [-0.022374554, -0.004560777, 0.013309286, -0.0545072],
        [-0.007942399, 0.0034722665, -0.011853396, -0.05847298],
      ],
      usage: null,
      upstreamId: null,
    });
    expect(geminiEmbeddingAdapter.fromUpstreamEmbeddingResponse({ embeddings: [{ values: [1] }], usageMetadata: { promptTokenCount: 7 } }, 1).usage).toEqual({
      promptTokens: 7,
      completionTokens: 0,
      cachedPromptTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it("refuses an answer with another number of vectors than inputs as a retryable 502", () => {
    expect(thrownBy(() => geminiEmbeddingAdapter.fromUpstreamEmbeddingResponse(fixture.response, 3)).error).toMatchObject({ status: 502, retryable: true });
  });

  it("maps Google's error body with the Gemini table", async () => {
    const body = await readFile(new URL("../__fixtures__/gemini-error-body.json", import.meta.url), "utf8");
    expect(geminiEmbeddingAdapter.fromUpstreamError(400, body)).toMatchObject({ status: 400, retryable: false, metadata: { provider_code: "INVALID_ARGUMENT" } });
    expect(geminiEmbeddingAdapter.fromUpstreamError(503, body)).toMatchObject({ status: 502, retryable: true });
  });
});
