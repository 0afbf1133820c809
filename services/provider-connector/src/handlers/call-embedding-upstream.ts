import { embeddingInputsOf, gatewayError, gatewayErrorCodes, SwitchboardError, type EmbeddingsGenerateRequest, type RouteCandidate } from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import { dropUnsupportedEmbeddingParameters } from "../providers/drop-unsupported-embedding-parameters.js";
import type { EmbeddingAdapter } from "../providers/embedding-adapter.js";
import { readLimitedText } from "../transport/read-limited-text.js";
import type { UpstreamTransport } from "../transport/upstream-transport.js";
import type { NumberedPartPublisher } from "./numbered-part-publisher.js";
import { scrubKeyMaterial } from "./scrub-key-material.js";

/** Enough of an error body to show the provider's message. */
const maximumErrorBodyBytes = 64 * 1024;

/** 2,048 vectors of 3,072 dimensions as JSON numbers come to about this much; more is a broken provider. */
const maximumResponseBodyBytes = 160 * 1024 * 1024;

export interface EmbeddingCall {
  transport: UpstreamTransport;
  adapter: EmbeddingAdapter;
  request: EmbeddingsGenerateRequest;
  candidate: RouteCandidate;
  apiKey: string | undefined;
  parts: NumberedPartPublisher;
  signal: AbortSignal;
  logger: Logger;
  logContext: Record<string, string>;
}

function failure(message: string): SwitchboardError {
  // Retryable: another endpoint (or this one again) may answer properly.
  return new SwitchboardError(gatewayError(gatewayErrorCodes.upstreamError, 502, message, { retryable: true }));
}

/**
 * Calls the provider's embeddings API once and publishes the answer as parts: the provider's
 * `stream-start` (with the warnings of what the endpoint did not get), one `embedding` part per vector
 * (a message each: a large batch never exceeds NATS's max_payload), then `usage` when the provider counted
 * tokens and `stream-end` together. Throws on any failure; the caller publishes the error part.
 */
export async function callEmbeddingUpstream(call: EmbeddingCall): Promise<void> {
  const { request, candidate, adapter, parts, signal } = call;
  const supported = dropUnsupportedEmbeddingParameters(request.body, candidate.supportedParameters);
  const inputCount = embeddingInputsOf(request.body.input).length;
  const adapted = adapter.toUpstreamEmbeddingRequest({
    body: supported.body,
    upstreamModel: candidate.upstreamModel,
    baseUrl: candidate.baseUrl,
    ...(candidate.region === undefined ? {} : { region: candidate.region }),
    ...(candidate.quirks === undefined ? {} : { quirks: candidate.quirks }),
  });
  const warnings = [...supported.warnings, ...adapted.warnings];
  // Names only: a parameter's value may hold input text.
  if (warnings.length > 0) call.logger.info({ ...call.logContext, droppedParameters: warnings.map((warning) => warning.parameter) }, "request parameters not sent to the provider");
  const response = await call.transport.send({
    url: adapted.url,
    headers: adapted.headers,
    body: JSON.stringify(adapted.body),
    credential: adapted.credential,
    apiKey: call.apiKey,
    signal,
  });
  try {
    if (response.status < 200 || response.status > 299) {
      const { text } = await readLimitedText(response.body, maximumErrorBodyBytes);
      // Scrubbed before the adapter cuts the provider's message to its bound, so no key survives the cut as a prefix.
      throw new SwitchboardError(adapter.fromUpstreamError(response.status, scrubKeyMaterial(text, call.apiKey)));
    }
    const { text, truncated } = await readLimitedText(response.body, maximumResponseBodyBytes);
    if (truncated) throw failure(`Provider ${candidate.providerName} sent an embeddings response larger than ${maximumResponseBodyBytes / (1024 * 1024)} MiB`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw failure(`Provider ${candidate.providerName} sent a response that is not JSON`);
    }
    signal.throwIfAborted();
    const answer = adapter.fromUpstreamEmbeddingResponse(json, inputCount);
    parts.publish({ type: "stream-start", upstreamId: answer.upstreamId, ...(warnings.length > 0 ? { warnings } : {}) });
    answer.embeddings.forEach((embedding, index) => parts.publish({ type: "embedding", index, embedding }));
    parts.publishAll([...(answer.usage ? [{ type: "usage" as const, usage: answer.usage }] : []), { type: "stream-end" }]);
  } catch (thrown) {
    response.body.destroy();
    throw thrown;
  }
}
