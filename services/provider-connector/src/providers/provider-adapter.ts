import type { ChatRequest, GatewayError, ProviderQuirks, UnnumberedStreamPart, UpstreamWarning } from "@switchboard/contracts";
import type { StreamFraming } from "./stream-framing.js";
import type { UpstreamCredential } from "./upstream-credential.js";

/** What an adapter needs to build one upstream request; everything comes in as an argument. */
export interface UpstreamRequestInput {
  /** The client's OpenAI-shaped body, as ingress validated it against the contracts' chat request schema. */
  body: ChatRequest;
  /** The provider's own name for the model (the catalog's `upstreamModel`). */
  upstreamModel: string;
  stream: boolean;
  /**
   * The output cap the reservation was computed with, sent so the bill stays bounded; null to send no cap
   * (the provider's own limit applies). Any cap in `body` was already folded into this by ingress.
   */
  maxCompletionTokens: number | null;
  /**
   * The endpoint's API root from the catalog (`base_url`), e.g. `https://api.openai.com/v1`. The adapter
   * builds the whole URL from it, because providers put the model and the streaming switch in different
   * places (Gemini: `/v1beta/models/{model}:streamGenerateContent?alt=sse`, Anthropic: `/v1/messages`).
   */
  baseUrl: string;
  /** The provider API version the catalog pins (`api_version`), for adapters whose API is versioned by a header; absent: the adapter's default. */
  apiVersion?: string;
  /**
   * The AWS region the catalog names for signing (`region`), for Bedrock; absent: the adapter reads it from
   * `baseUrl`'s host. Other adapters ignore it.
   */
  region?: string;
  /** The catalog's quirks of an OpenAI-compatible vendor; absent: it behaves as OpenAI does. Other adapters ignore them. */
  quirks?: ProviderQuirks;
}

/**
 * The provider-specific HTTP request, complete but for its credential: the transport adds that last
 * (a header, or a signature over exactly these bytes), then method, timeouts and abort.
 */
export interface UpstreamRequest {
  /** The absolute URL to POST to, query included. */
  url: string;
  /** Headers without any credential. */
  headers: Record<string, string>;
  /** The JSON body to send. */
  body: Record<string, unknown>;
  /** How the provider key goes onto the request. */
  credential: UpstreamCredential;
  /**
   * What the adapter had to leave out of the client's request, by parameter name (never a value), so the
   * handler can log it and carry it to the generation record (STYLE.md convention 9: nothing dropped silently).
   */
  warnings: UpstreamWarning[];
}

/** One event of an upstream stream, whatever its framing: its type (SSE `event`) when the provider names one, and its payload text. */
export interface UpstreamStreamEvent {
  event?: string;
  data: string;
}

/**
 * Translates between Switchboard's OpenAI-shaped request / stream parts and one provider's wire format.
 * Pure functions only (kysely `Dialect`, envoy `Translator`): no HTTP, NATS or environment access, so an
 * adapter is tested against recorded fixtures. Malformed provider payloads are reported by throwing a
 * `SwitchboardError`. Adapters never emit `stream-end` or `error` parts: ending a generation is the
 * handler's job. Methods (not function properties) so adapters with their own state type fit a registry
 * of `ProviderAdapter`.
 */
export interface ProviderAdapter<StreamState = unknown> {
  /** How the provider frames a streamed answer; the transport parses the body by it. */
  readonly streamFraming: StreamFraming;
  toUpstreamRequest(input: UpstreamRequestInput): UpstreamRequest;
  /** A whole (non-streaming) response as parts: stream-start, deltas, finish, usage. */
  fromUpstreamResponse(json: unknown): { parts: UnnumberedStreamPart[] };
  /** Fresh per-generation state for `fromUpstreamStreamEvent`. */
  createStreamState(): StreamState;
  /** The parts one stream event yields; empty for keep-alives and events after the end marker. */
  fromUpstreamStreamEvent(event: UpstreamStreamEvent, state: StreamState): UnnumberedStreamPart[];
  /**
   * True once the events seen so far include the provider's end of the answer (its end marker or a finish
   * reason). A body that closes before that is a truncated answer, which the handler reports as an error.
   */
  isStreamComplete(state: StreamState): boolean;
  /** A non-2xx answer of the provider as the error ingress should act on. */
  fromUpstreamError(status: number, bodyText: string): GatewayError;
}
