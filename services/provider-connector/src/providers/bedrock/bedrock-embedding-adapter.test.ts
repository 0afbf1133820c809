import { readFile } from "node:fs/promises";
import { gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { bedrockEmbeddingAdapter } from "./bedrock-embedding-adapter.js";

async function fixture(name: string): Promise<{ request: Record<string, unknown>; response: unknown }> {
  return JSON.parse(await readFile(new URL(`../__fixtures__/${name}`, import.meta.url), "utf8")) as { request: Record<string, unknown>; response: unknown };
}

/** InvokeModel request/response pairs from the Bedrock user guide's Titan and Cohere Embed pages, vectors shortened. */
const titan = await fixture("bedrock-titan-embeddings.json");
const cohere = await fixture("bedrock-cohere-embeddings.json");
const baseUrl = "https://bedrock-runtime.us-east-1.amazonaws.com";

function thrownBy(action: () => unknown): SwitchboardError {
  try {
    action();
  } catch (error) {
    if (error instanceof SwitchboardError) return error;
    throw error;
  }
  throw new Error("nothing was thrown");
}

describe("Bedrock embedding adapter", () => {
  it("invokes a Titan model with one text and its dimensions, SigV4-signed for the base URL's region", () => {
    const upstream = bedrockEmbeddingAdapter.toUpstreamEmbeddingRequest({
      body: { model: "amazon/titan-embed-text-v2", input: "What are the different services that you offer?", dimensions: 4 },
      upstreamModel: "amazon.titan-embed-text-v2:0",
      baseUrl,
    });
    expect(upstream.url).toBe("https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke");
    expect(upstream.credential).toEqual({ scheme: "signature", signer: "aws-sigv4", parameters: { region: "us-east-1", service: "bedrock" } });
    expect(upstream.body).toEqual(titan.request);
  });

  it("signs for the catalog's region when it names one, whatever base_url's host", () => {
    const upstream = bedrockEmbeddingAdapter.toUpstreamEmbeddingRequest({
      body: { model: "amazon/titan-embed-text-v2", input: "What are the different services that you offer?" },
      upstreamModel: "amazon.titan-embed-text-v2:0",
      baseUrl: "https://bedrock.internal.example",
      region: "eu-central-1",
    });
    expect(upstream.url).toBe("https://bedrock.internal.example/model/amazon.titan-embed-text-v2%3A0/invoke");
    expect(upstream.credential).toEqual({ scheme: "signature", signer: "aws-sigv4", parameters: { region: "eu-central-1", service: "bedrock" } });
  });

  it("reads Titan's vector and token count", () => {
    expect(bedrockEmbeddingAdapter.fromUpstreamEmbeddingResponse(titan.response, 1)).toEqual({
      embeddings: [[-0.0658217, 0.0307616, -0.0260581, 0.0157823]],
      usage: { promptTokens: 9, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      upstreamId: null,
    });
  });

  it("refuses several inputs for Titan, which embeds one text per call, with a 400 naming input", () => {
    const error = thrownBy(() => bedrockEmbeddingAdapter.toUpstreamEmbeddingRequest({ body: { model: "m/t", input: ["a", "b"] }, upstreamModel: "amazon.titan-embed-text-v2:0", baseUrl }));
    expect(error.error).toMatchObject({ code: gatewayErrorCodes.unsupportedParameter, status: 400, metadata: { parameter: "input" } });
  });

  it("invokes Cohere Embed with every text, a search_document input type by default, and names what it cannot take", () => {
    const upstream = bedrockEmbeddingAdapter.toUpstreamEmbeddingRequest({
      body: { model: "cohere/embed-english-v3", input: ["hello world", "goodbye cruel world"], dimensions: 256, user: "u" },
      upstreamModel: "cohere.embed-english-v3",
      baseUrl,
    });
    expect(upstream.body).toEqual(cohere.request);
    expect(upstream.warnings.map((warning) => warning.parameter).sort()).toEqual(["dimensions", "user"]);
    const query = bedrockEmbeddingAdapter.toUpstreamEmbeddingRequest({ body: { model: "cohere/embed-english-v3", input: "q", input_type: "search_query" }, upstreamModel: "cohere.embed-english-v3", baseUrl });
    expect(query.body).toEqual({ texts: ["q"], input_type: "search_query" });
  });

  it("reads Cohere's vectors in order, without a token count (Bedrock sends it in a header), so ingress estimates", () => {
    expect(bedrockEmbeddingAdapter.fromUpstreamEmbeddingResponse(cohere.response, 2)).toEqual({
      embeddings: [
        [0.017578125, -0.0390625, -0.01953125, 0.0023994446],
        [-0.0034885406, 0.0094070435, -0.027954102, 0.04663086],
      ],
      usage: null,
      upstreamId: "fc8c1b34-ba0e-4c14-a2c8-3b6d7a5c1c1f",
    });
    expect(thrownBy(() => bedrockEmbeddingAdapter.fromUpstreamEmbeddingResponse(cohere.response, 3)).error).toMatchObject({ status: 502, retryable: true });
  });

  it("refuses token ids and maps Bedrock's error body", () => {
    expect(thrownBy(() => bedrockEmbeddingAdapter.toUpstreamEmbeddingRequest({ body: { model: "m/t", input: [1, 2] }, upstreamModel: "cohere.embed-english-v3", baseUrl })).error).toMatchObject({
      status: 400,
      metadata: { parameter: "input" },
    });
    expect(bedrockEmbeddingAdapter.fromUpstreamError(429, '{"message":"Too many requests, please wait before trying again."}')).toMatchObject({
      status: 429,
      retryable: true,
      metadata: { raw: "Too many requests, please wait before trying again." },
    });
  });
});
