import type { TokenUsage } from "@switchboard/contracts";
import { buildUpstreamUrl } from "../build-upstream-url.js";
import type { EmbeddingAdapter, UpstreamEmbeddingRequestInput } from "../embedding-adapter.js";
import { malformedEmbeddingsError } from "../malformed-embeddings-error.js";
import type { UpstreamRequest } from "../provider-adapter.js";
import type { ProviderAdapter } from "../provider-adapter.js";
import type { UpstreamCredential } from "../upstream-credential.js";
import { openAIEmbeddingResponseSchema } from "./openai-embedding-api-schemas.js";

/** What differs between vendors that speak OpenAI's embeddings API. */
export interface OpenAICompatibleEmbeddingAdapterConfig {
  /** Names the API in error messages, e.g. "OpenAI". */
  providerLabel: string;
  credential: UpstreamCredential;
  /** The path below the catalog's `base_url` for a model; defaults to `/embeddings` (the model goes in the body). */
  embeddingsPath?: (upstreamModel: string) => string;
  /** The vendor's chat adapter, whose error reading (OpenAI's error body) this one shares. */
  chatAdapter: Pick<ProviderAdapter, "fromUpstreamError">;
}

/**
 * Builds the embeddings adapter of an OpenAI-compatible vendor
 * (https://platform.openai.com/docs/api-reference/embeddings/create). Vectors are always asked for as
 * floats: they cross the bus as numbers and ingress encodes base64 itself when the client asks, so every
 * provider (Gemini has no base64) answers the client alike.
 */
export function createOpenAICompatibleEmbeddingAdapter(config: OpenAICompatibleEmbeddingAdapterConfig): EmbeddingAdapter {
  const { providerLabel } = config;
  return {
    toUpstreamEmbeddingRequest(input: UpstreamEmbeddingRequestInput): UpstreamRequest {
      const { body: request } = input;
      const body: Record<string, unknown> = { model: input.upstreamModel, input: request.input, encoding_format: "float" };
      if (request.dimensions !== undefined && request.dimensions !== null) body["dimensions"] = request.dimensions;
      if (request.user !== undefined && request.user !== null) body["user"] = request.user;
      const path = config.embeddingsPath?.(input.upstreamModel) ?? "/embeddings";
      return {
        url: buildUpstreamUrl(input.baseUrl, path),
        headers: { "content-type": "application/json", accept: "application/json" },
        body,
        credential: config.credential,
        warnings: [],
      };
    },

    fromUpstreamEmbeddingResponse(json: unknown, inputCount: number) {
      const parsed = openAIEmbeddingResponseSchema.safeParse(json);
      if (!parsed.success) throw malformedEmbeddingsError(providerLabel, "unexpected shape");
      const { data, usage, id } = parsed.data;
      if (data.length !== inputCount) throw malformedEmbeddingsError(providerLabel, `${data.length} vectors for ${inputCount} inputs`);
      // OpenAI lists them in input order with `index`; placed by index so a vendor that reorders cannot mismatch them.
      const embeddings: number[][] = new Array<number[]>(inputCount);
      data.forEach((item, position) => {
        const index = item.index ?? position;
        if (index >= inputCount || embeddings[index] !== undefined) throw malformedEmbeddingsError(providerLabel, `vector index ${index} out of place`);
        embeddings[index] = item.embedding;
      });
      const promptTokens = usage?.prompt_tokens ?? usage?.total_tokens;
      const tokenUsage: TokenUsage | null =
        promptTokens === null || promptTokens === undefined
          ? null
          : { promptTokens, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
      return { embeddings, usage: tokenUsage, upstreamId: id ?? null };
    },

    fromUpstreamError(status: number, bodyText: string) {
      return config.chatAdapter.fromUpstreamError(status, bodyText);
    },
  };
}
