import type { EmbeddingsRequest, GatewayError, ProviderQuirks, TokenUsage } from "@switchboard/contracts";
import type { UpstreamRequest } from "./provider-adapter.js";

/** What an embedding adapter needs to build one upstream request; everything comes in as an argument. */
export interface UpstreamEmbeddingRequestInput {
  /** The client's OpenAI-shaped body as ingress validated it, minus what the endpoint does not support. */
  body: EmbeddingsRequest;
  /** The provider's own name for the model (the catalog's `upstreamModel`). */
  upstreamModel: string;
  /** The endpoint's API root from the catalog (`base_url`); the adapter builds the whole URL from it. */
  baseUrl: string;
  /** The AWS region the catalog names for signing (`region`), for Bedrock; absent: read from `baseUrl`'s host. Other adapters ignore it. */
  region?: string;
  /** The catalog's quirks of an OpenAI-compatible vendor; other adapters ignore them. */
  quirks?: ProviderQuirks;
}

/** One provider answer in Switchboard's terms: a vector per input, in input order, and the input tokens if the provider counted them. */
export interface UpstreamEmbeddings {
  embeddings: number[][];
  /** Null when the provider reports no token count (Gemini's batchEmbedContents): ingress then estimates. */
  usage: TokenUsage | null;
  upstreamId: string | null;
}

/**
 * The optional embeddings capability of a provider API (STYLE.md: optional features are small interfaces
 * of their own, not stubs on the chat adapter). Pure functions, like `ProviderAdapter`: no HTTP, NATS or
 * environment access. Embeddings APIs answer whole, so there is no stream side.
 */
export interface EmbeddingAdapter {
  toUpstreamEmbeddingRequest(input: UpstreamEmbeddingRequestInput): UpstreamRequest;
  /**
   * The provider's whole answer; throws a retryable 502 `SwitchboardError` when it is malformed or holds
   * another number of vectors than `inputCount` (a client must never get vectors matched to the wrong inputs).
   */
  fromUpstreamEmbeddingResponse(json: unknown, inputCount: number): UpstreamEmbeddings;
  /** A non-2xx answer of the provider as the error ingress should act on. */
  fromUpstreamError(status: number, bodyText: string): GatewayError;
}
