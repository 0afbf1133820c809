import { embeddingInputsOf, type UpstreamWarning } from "@switchboard/contracts";
import { buildUpstreamUrl } from "../build-upstream-url.js";
import type { EmbeddingAdapter, UpstreamEmbeddingRequestInput, UpstreamEmbeddings } from "../embedding-adapter.js";
import { malformedEmbeddingsError } from "../malformed-embeddings-error.js";
import type { UpstreamRequest } from "../provider-adapter.js";
import { unsupportedRequestError } from "../unsupported-request-error.js";
import { bedrockAdapter } from "./bedrock-adapter.js";
import { cohereEmbeddingResponseSchema, titanEmbeddingResponseSchema } from "./bedrock-embedding-api-schemas.js";
import { bedrockRegionOf } from "./bedrock-region-of.js";

const providerLabel = "Bedrock";

/** Cohere's `input_type` values (required by Embed v3); OpenRouter's `input_type` passes through when it is one of them. */
const cohereInputTypes = new Set(["search_document", "search_query", "classification", "clustering"]);

/** Cohere Embed on Bedrock takes at most this many texts per call. */
const maximumCohereTexts = 96;

function isCohere(upstreamModel: string): boolean {
  return upstreamModel.startsWith("cohere.") || upstreamModel.includes(".cohere.");
}

function textsOf(input: UpstreamEmbeddingRequestInput["body"]["input"]): string[] {
  return embeddingInputsOf(input).map((item) => {
    if (typeof item !== "string") throw unsupportedRequestError("input", "Bedrock embedding models embed text only: send input as a string or an array of strings, not token ids.");
    return item;
  });
}

/**
 * Embeddings on Amazon Bedrock through InvokeModel (`POST /model/{modelId}/invoke`, SigV4-signed like
 * Converse), in the body format of the model's family, chosen by the catalog's upstream model id:
 * Cohere Embed (`cohere.embed-…`) embeds up to 96 texts per call, `input_type` defaulting to
 * `search_document`; Amazon Titan Text Embeddings (`amazon.titan-embed-…`) one text per call, so a request
 * with several inputs is refused with a 400 naming `input` rather than split into several upstream calls.
 * `dimensions` goes to Titan (v2 takes 256, 512 or 1024); Cohere has none, so it is dropped with a warning,
 * as is `user`, which neither takes.
 */
export const bedrockEmbeddingAdapter: EmbeddingAdapter = {
  toUpstreamEmbeddingRequest(input: UpstreamEmbeddingRequestInput): UpstreamRequest {
    const region = input.region ?? bedrockRegionOf(input.baseUrl);
    const { body: request } = input;
    const texts = textsOf(request.input);
    const warnings: UpstreamWarning[] = [];
    if (request.user !== undefined && request.user !== null) warnings.push({ type: "unsupported-parameter", parameter: "user" });
    const dimensions = request.dimensions ?? undefined;
    let body: Record<string, unknown>;
    if (isCohere(input.upstreamModel)) {
      if (texts.length > maximumCohereTexts) throw unsupportedRequestError("input", `Cohere Embed on Bedrock takes at most ${maximumCohereTexts} texts per request.`);
      if (dimensions !== undefined) warnings.push({ type: "unsupported-parameter", parameter: "dimensions" });
      const inputType = typeof request["input_type"] === "string" && cohereInputTypes.has(request["input_type"]) ? request["input_type"] : "search_document";
      body = { texts, input_type: inputType };
    } else {
      if (texts.length !== 1) throw unsupportedRequestError("input", "Amazon Titan embeddings take one text per request: send input as a single string.");
      body = { inputText: texts[0], ...(dimensions !== undefined ? { dimensions } : {}) };
    }
    return {
      // Model ids hold ":" (amazon.titan-embed-text-v2:0), which the path must carry encoded.
      url: buildUpstreamUrl(input.baseUrl, `/model/${encodeURIComponent(input.upstreamModel)}/invoke`),
      headers: { "content-type": "application/json", accept: "application/json" },
      body,
      credential: { scheme: "signature", signer: "aws-sigv4", parameters: { region, service: "bedrock" } },
      warnings,
    };
  },

  fromUpstreamEmbeddingResponse(json: unknown, inputCount: number): UpstreamEmbeddings {
    const cohere = cohereEmbeddingResponseSchema.safeParse(json);
    if (cohere.success) {
      if (cohere.data.embeddings.length !== inputCount) throw malformedEmbeddingsError(providerLabel, `${cohere.data.embeddings.length} vectors for ${inputCount} inputs`);
      return { embeddings: cohere.data.embeddings, usage: null, upstreamId: cohere.data.id ?? null };
    }
    const titan = titanEmbeddingResponseSchema.safeParse(json);
    if (!titan.success) throw malformedEmbeddingsError(providerLabel, "unexpected shape");
    if (inputCount !== 1) throw malformedEmbeddingsError(providerLabel, `1 vector for ${inputCount} inputs`);
    const promptTokens = titan.data.inputTextTokenCount;
    return {
      embeddings: [titan.data.embedding],
      usage: promptTokens === null || promptTokens === undefined ? null : { promptTokens, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      upstreamId: null,
    };
  },

  fromUpstreamError(status: number, bodyText: string) {
    // InvokeModel's error body is Converse's (`{"message": …}`).
    return bedrockAdapter.fromUpstreamError(status, bodyText);
  },
};
