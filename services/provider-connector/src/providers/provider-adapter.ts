import type { GatewayError, UnnumberedStreamPart } from "@switchboard/contracts";

/** What an adapter needs to build one upstream request; everything comes in as an argument. */
export interface UpstreamRequestInput {
  /** The client's OpenAI-shaped body, as ingress validated it. */
  body: Readonly<Record<string, unknown>>;
  /** The provider's own name for the model (the catalog's `upstreamModel`). */
  upstreamModel: string;
  stream: boolean;
  /**
   * The output cap the reservation was computed with, sent so the bill stays bounded; null to send no cap
   * (the provider's own limit applies). Any cap in `body` was already folded into this by ingress.
   */
  maxCompletionTokens: number | null;
  /** The provider key, or undefined for keyless providers. */
  apiKey: string | undefined;
}

/** The provider-specific parts of the HTTP request; the transport adds origin, method and timeouts. */
export interface UpstreamRequest {
  /** Path below the candidate's base URL, e.g. `/chat/completions`. */
  path: string;
  headers: Record<string, string>;
  /** The JSON body to send. */
  body: Record<string, unknown>;
}

/** One Server-Sent Event as the transport parsed it. */
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
