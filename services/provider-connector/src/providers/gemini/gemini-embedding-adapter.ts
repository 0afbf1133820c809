import { embeddingInputsOf, type UpstreamWarning } from "@switchboard/contracts";
import { buildUpstreamUrl } from "../build-upstream-url.js";
import type { EmbeddingAdapter, UpstreamEmbeddingRequestInput } from "../embedding-adapter.js";
import { malformedEmbeddingsError } from "../malformed-embeddings-error.js";
import type { UpstreamRequest } from "../provider-adapter.js";
import { unsupportedRequestError } from "../unsupported-request-error.js";
import { geminiAdapter } from "./gemini-adapter.js";
import { geminiBatchEmbedResponseSchema } from "./gemini-embedding-api-schemas.js";

const providerLabel = "Gemini";

/** `models/{model}` unless the catalog names a full resource (`tunedModels/…`). */
function modelResource(upstreamModel: string): string {
  return upstreamModel.includes("/") ? upstreamModel : `models/${upstreamModel}`;
}

/**
 * Gemini's embeddings through `batchEmbedContents`
 * (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents): one `EmbedContentRequest` per
 * input, each naming the model again (the API requires it to match the URL's), `dimensions` as
 * `outputDimensionality`. Gemini embeds text only: token-id inputs are refused with a 400 naming `input`.
 * `user` has no Gemini counterpart and is dropped with a warning.
 */
export const geminiEmbeddingAdapter: EmbeddingAdapter = {
  toUpstreamEmbeddingRequest(input: UpstreamEmbeddingRequestInput): UpstreamRequest {
    const { body: request } = input;
    const model = modelResource(input.upstreamModel);
    const requests = embeddingInputsOf(request.input).map((item) => {
      if (typeof item !== "string") throw unsupportedRequestError("input", "Gemini embeds text only: send input as a string or an array of strings, not token ids.");
      return {
        model,
        content: { parts: [{ text: item }] },
        ...(request.dimensions !== undefined && request.dimensions !== null ? { outputDimensionality: request.dimensions } : {}),
      };
    });
    const warnings: UpstreamWarning[] = request.user !== undefined && request.user !== null ? [{ type: "unsupported-parameter", parameter: "user" }] : [];
    return {
      url: buildUpstreamUrl(input.baseUrl, `/v1beta/${model}:batchEmbedContents`),
      headers: { "content-type": "application/json", accept: "application/json" },
      body: { requests },
      credential: { scheme: "header", headerName: "x-goog-api-key" },
      warnings,
    };
  },

  fromUpstreamEmbeddingResponse(json: unknown, inputCount: number) {
    const parsed = geminiBatchEmbedResponseSchema.safeParse(json);
    if (!parsed.success) throw malformedEmbeddingsError(providerLabel, "unexpected shape");
    const { embeddings, usageMetadata } = parsed.data;
    if (embeddings.length !== inputCount) throw malformedEmbeddingsError(providerLabel, `${embeddings.length} vectors for ${inputCount} inputs`);
    const promptTokens = usageMetadata?.promptTokenCount;
    return {
      embeddings: embeddings.map((embedding) => embedding.values),
      usage:
        promptTokens === null || promptTokens === undefined
          ? null
          : { promptTokens, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      upstreamId: null,
    };
  },

  fromUpstreamError(status: number, bodyText: string) {
    // Google's error body is the same for every method of the API.
    return geminiAdapter.fromUpstreamError(status, bodyText);
  },
};
