import type { NatsConnection } from "@nats-io/transport-node";
import {
  gatewayError,
  gatewayErrorCodes,
  providerKeyVariableProblem,
  SwitchboardError,
  type ChatGenerateRequest,
  type GatewayError,
  type GenerateRequest,
  type RouteCandidate,
  type UnnumberedStreamPart,
} from "@switchboard/contracts";
import { SpanKind, type Span } from "@opentelemetry/api";
import {
  attributeAttemptOutcome,
  attributeEndpointId,
  attributeGenAiOperationName,
  attributeGenAiProviderName,
  attributeGenAiRequestModel,
  attributeGenAiSystem,
  attributeGenAiUsageInputTokens,
  attributeGenAiUsageOutputTokens,
  attributeGenerationId,
  attributeTimeToFirstTokenMs,
  eventGenAiFirstToken,
  isTracing,
  markSpanFailed,
  runInSpan,
  switchboardTracer,
  upstreamErrorMetrics,
  type Logger,
} from "@switchboard/telemetry";
import { classifyAttemptOutcome } from "../health/classify-attempt-outcome.js";
import { classifyUpstreamError } from "../health/classify-upstream-error.js";
import type { OutcomeReporter } from "../health/outcome-reporter.js";
import { dropUnsupportedParameters } from "../providers/drop-unsupported-parameters.js";
import { hideReasoningText } from "../providers/hide-reasoning-text.js";
import type { ProviderAdapter, UpstreamStreamEvent } from "../providers/provider-adapter.js";
import type { ProviderRegistry } from "../providers/registry.js";
import { embeddingRegistry, type EmbeddingRegistry } from "../providers/embedding-registry.js";
import { classifyTransportError } from "../transport/classify-transport-error.js";
import { ServerSentEventTooLargeError } from "../transport/parse-server-sent-events.js";
import { readLimitedText } from "../transport/read-limited-text.js";
import { readUpstreamStream } from "../transport/read-upstream-stream.js";
import type { UpstreamTransport } from "../transport/upstream-transport.js";
import { createWarningAttacher } from "./attach-upstream-warnings.js";
import type { AttemptRegistry } from "./attempt-registry.js";
import { buildUsageReport } from "./build-usage-report.js";
import { callEmbeddingUpstream } from "./call-embedding-upstream.js";
import type { IngressLiveness } from "./ingress-liveness.js";
import { observeAttemptParts } from "./observe-attempt-parts.js";
import type { UsageReporter } from "./usage-reporter.js";
import type { EndpointDirectory } from "./endpoint-directory.js";
import { InFlightGenerations } from "./in-flight-generations.js";
import { createNumberedPartPublisher, type NumberedPartPublisher } from "./numbered-part-publisher.js";
import { publishHeartbeats } from "./publish-heartbeats.js";
import { scrubErrorKeyMaterial, scrubKeyMaterial, scrubKeyPieces, scrubThrownKeyMaterial } from "./scrub-key-material.js";

export interface GenerateHandlerDependencies {
  /** Parts are published to the asking ingress's inbox on this connection. */
  connection: Pick<NatsConnection, "publish">;
  transport: UpstreamTransport;
  registry: ProviderRegistry;
  /** The APIs this connector asks for embeddings; defaults to every registered embedding adapter. */
  embeddingAdapters?: EmbeddingRegistry;
  /** Endpoint id → base URL, key variable and upstream model, from the router's routing snapshot. */
  endpoints: Pick<EndpointDirectory, "resolve">;
  /** Reads a provider key by the environment variable name the catalog gives (`candidate.apiKeyEnv`). */
  resolveApiKey: (environmentVariableName: string) => string | undefined;
  inFlight: InFlightGenerations;
  /** Where each attempt's progress stays answerable, for an ingress that lost parts to an outage. */
  attempts: AttemptRegistry;
  logger: Logger;
  /** A `heartbeat` part goes out this often while a generation runs (`CONNECTOR_HEARTBEAT_MS`). */
  heartbeatIntervalMs: number;
  /** How long part 0 may wait to travel with the first real part (`CONNECTOR_ACKNOWLEDGE_DELAY_MS`). */
  acknowledgementDelayMs: number;
  /** Where each attempt's outcome goes for the router's health judgement (issue 9). */
  outcomes: Pick<OutcomeReporter, "record">;
  /**
   * Ingress replicas' heartbeats (issue 10): an attempt whose ingress went silent is stopped. Absent, or
   * for a request that names no origin, attempts run to their end whoever listens.
   */
  liveness?: Pick<IngressLiveness, "watch">;
  /** Where the usage report of each attempt that produced output goes (issue 10), for requests naming an origin. */
  usageReports?: Pick<UsageReporter, "report">;
}

/** Why an attempt was stopped when its ingress went silent; nobody reads the error part, but it ends the attempt cleanly. */
function ingressWentSilent(): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.cancelled, 499, "The ingress that asked for this generation stopped answering"));
}

/** Enough of an error body to show the provider's message, not so much that a proxy's HTML page hurts. */
const maximumErrorBodyBytes = 64 * 1024;

/**
 * Far above any real completion (a 128k-token answer with logprobs is a few MiB), low enough that one
 * broken or hostile provider cannot exhaust the connector's memory.
 */
const maximumResponseBodyBytes = 32 * 1024 * 1024;

function unsupportedApiError(candidate: RouteCandidate): GatewayError {
  // Retryable: the next candidate may use an API this connector speaks; the catalog needs fixing meanwhile.
  return gatewayError(
    gatewayErrorCodes.upstreamError,
    502,
    `Provider API "${candidate.api}" of endpoint ${candidate.endpointId} is not supported by this provider connector`,
    { retryable: true },
  );
}

function resolveCandidateKey(candidate: RouteCandidate, resolveApiKey: GenerateHandlerDependencies["resolveApiKey"]): string | undefined {
  if (candidate.apiKeyEnv === null) return undefined;
  const problem = providerKeyVariableProblem(candidate.apiKeyEnv);
  if (problem !== null) {
    // Checked before the environment is read: the value would go to the endpoint's base_url as its bearer
    // token, so a catalog naming one of our own settings (NATS_PASSWORD, DATABASE_URL…) must not leak it.
    // Not retryable: this connector refuses it the same way on every attempt, until the catalog is fixed.
    throw new SwitchboardError(
      gatewayError(
        gatewayErrorCodes.upstreamError,
        502,
        `Refused to read the key of provider ${candidate.providerName} from ${candidate.apiKeyEnv}: the variable ${problem}`,
        { retryable: false },
      ),
    );
  }
  const apiKey = resolveApiKey(candidate.apiKeyEnv);
  if (apiKey === undefined || apiKey === "") {
    // Retryable: another provider may be configured. The message is for the operator reading the logs.
    throw new SwitchboardError(
      gatewayError(
        gatewayErrorCodes.upstreamError,
        502,
        `No API key for provider ${candidate.providerName}: set the environment variable ${candidate.apiKeyEnv} in the provider connector`,
        { retryable: true },
      ),
    );
  }
  return apiKey;
}

function responseTooLarge(candidate: RouteCandidate): SwitchboardError {
  // Retryable: a sane endpoint (another provider, or this one again) answers within the limit.
  return new SwitchboardError(
    gatewayError(
      gatewayErrorCodes.upstreamError,
      502,
      `Provider ${candidate.providerName} sent a response larger than ${maximumResponseBodyBytes / (1024 * 1024)} MiB`,
      { retryable: true },
    ),
  );
}

/** An HTTP 200 stream whose body closed before the provider's end of the answer: a cut-off answer, not a success. */
function truncatedStream(): SwitchboardError {
  // Retryable: the cause is a dropped connection or a crashed vendor worker, not the request.
  return new SwitchboardError(gatewayError(gatewayErrorCodes.upstreamError, 502, "The provider closed the stream before finishing", { retryable: true }));
}

function malformedBody(candidate: RouteCandidate): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.upstreamError, 502, `Provider ${candidate.providerName} sent a response that is not JSON`, { retryable: true }),
  );
}

/** Calls the provider and publishes the translated parts; throws on any failure. */
async function callUpstream(
  dependencies: GenerateHandlerDependencies,
  request: ChatGenerateRequest,
  candidate: RouteCandidate,
  adapter: ProviderAdapter,
  apiKey: string | undefined,
  parts: NumberedPartPublisher,
  signal: AbortSignal,
  logContext: Record<string, string>,
): Promise<void> {
  const supported = dropUnsupportedParameters(request.body, candidate.supportedParameters);
  const adapted = adapter.toUpstreamRequest({
    body: supported.body,
    upstreamModel: candidate.upstreamModel,
    stream: request.stream,
    maxCompletionTokens: request.maxCompletionTokens,
    baseUrl: candidate.baseUrl,
    ...(candidate.apiVersion === undefined ? {} : { apiVersion: candidate.apiVersion }),
    ...(candidate.region === undefined ? {} : { region: candidate.region }),
    ...(candidate.quirks === undefined ? {} : { quirks: candidate.quirks }),
  });
  // What the catalog says the endpoint does not take, then what the adapter's API could not carry.
  const upstreamRequest = { ...adapted, warnings: [...supported.warnings, ...adapted.warnings] };
  if (upstreamRequest.warnings.length > 0) {
    // Names only: a parameter's value may hold prompt text.
    dependencies.logger.info({ ...logContext, droppedParameters: upstreamRequest.warnings.map((warning) => warning.parameter) }, "request parameters not sent to the provider");
  }
  const attachWarnings = createWarningAttacher(upstreamRequest.warnings);
  const withWarnings = request.body.reasoning?.exclude === true ? (translated: UnnumberedStreamPart[]) => attachWarnings(hideReasoningText(translated)) : attachWarnings;
  const response = await dependencies.transport.send({
    url: upstreamRequest.url,
    headers: upstreamRequest.headers,
    body: JSON.stringify(upstreamRequest.body),
    credential: upstreamRequest.credential,
    apiKey,
    signal,
  });
  try {
    if (response.status < 200 || response.status > 299) {
      const { text } = await readLimitedText(response.body, maximumErrorBodyBytes);
      // Scrubbed before the adapter cuts the provider's message to its bound: a key across the cut would
      // otherwise survive as a prefix the final scrub no longer recognizes.
      throw new SwitchboardError(adapter.fromUpstreamError(response.status, scrubKeyMaterial(text, apiKey)));
    }
    if (request.stream) {
      const state = adapter.createStreamState();
      try {
        for await (const event of readUpstreamStream(response.body, adapter.streamFraming)) {
          // What one event yields (a stream-start and the first delta, say) travels as one message.
          // An in-stream error event's message is cut by the adapter too, so the key's pieces go first. Whole
          // pieces only: the masked-echo rule is for error text, not for the model's answer.
          parts.publishAll(withWarnings(adapter.fromUpstreamStreamEvent(scrubStreamEvent(event, apiKey), state)));
        }
      } catch (error) {
        if (error instanceof ServerSentEventTooLargeError) throw streamEventTooLarge(candidate);
        throw error;
      }
      // An abort can also end the body quietly; the caller reports that as the abort it is.
      if (!signal.aborted && !adapter.isStreamComplete(state)) throw truncatedStream();
      return;
    }
    const { text, truncated } = await readLimitedText(response.body, maximumResponseBodyBytes);
    if (truncated) throw responseTooLarge(candidate);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw malformedBody(candidate);
    }
    // The whole answer and its end in one message; an abort while the body was read is reported as such.
    signal.throwIfAborted();
    parts.publishAll([...withWarnings(adapter.fromUpstreamResponse(json).parts), { type: "stream-end" }]);
  } catch (thrown) {
    // Stop reading at once: an unread body keeps the upstream connection (and its generation) alive.
    response.body.destroy();
    throw thrown;
  }
}

/** The event with the provider key's pieces replaced; the same event when there is no key or none of it is there. */
function scrubStreamEvent(event: UpstreamStreamEvent, apiKey: string | undefined): UpstreamStreamEvent {
  const data = scrubKeyPieces(event.data, apiKey);
  return data === event.data ? event : { ...event, data };
}

function streamEventTooLarge(candidate: RouteCandidate): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.upstreamError, 502, `The provider (${candidate.providerName}) sent a stream event larger than Switchboard accepts.`, {
      retryable: true,
    }),
  );
}

/**
 * The CLIENT span of one upstream call, child of the `connector.generate` SERVER span: GenAI attributes
 * (provider, model, tokens), the outcome, and the first output token as an event. Names and counts only.
 */
function startUpstreamSpan(request: GenerateRequest, candidate: RouteCandidate): Span | undefined {
  if (!isTracing()) return undefined;
  const operation = "operation" in request ? request.operation : "chat";
  return switchboardTracer().startSpan(`${operation} ${candidate.upstreamModel}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      [attributeGenAiOperationName]: operation,
      [attributeGenAiSystem]: candidate.providerId,
      [attributeGenAiProviderName]: candidate.providerName,
      [attributeGenAiRequestModel]: candidate.upstreamModel,
      [attributeEndpointId]: candidate.endpointId,
      [attributeGenerationId]: request.generationId,
    },
  });
}

function endUpstreamSpan(span: Span, parts: NumberedPartPublisher, startedAt: number, error: GatewayError | null): void {
  const firstOutputAt = parts.firstOutputAt;
  if (firstOutputAt !== null) {
    span.addEvent(eventGenAiFirstToken, { [attributeTimeToFirstTokenMs]: firstOutputAt - startedAt }, performance.timeOrigin + firstOutputAt);
  }
  const usage = parts.progress().usage;
  if (usage) span.setAttributes({ [attributeGenAiUsageInputTokens]: usage.promptTokens, [attributeGenAiUsageOutputTokens]: usage.completionTokens });
  span.setAttribute(attributeAttemptOutcome, error === null ? "ok" : (classifyAttemptOutcome(error) ?? error.code));
  if (error !== null) markSpanFailed(span, error.code);
  span.end();
}

/** Runs one generation to its single terminal part, with heartbeats until then; never throws for upstream failures. */
async function runGeneration(
  dependencies: GenerateHandlerDependencies,
  request: GenerateRequest,
  candidate: RouteCandidate,
  numberedParts: NumberedPartPublisher,
  cancelSignal: AbortSignal,
): Promise<void> {
  const span = startUpstreamSpan(request, candidate);
  if (span === undefined) return callUpstreamToTheEnd(dependencies, request, candidate, numberedParts, cancelSignal);
  const startedAt = performance.now();
  let failure: GatewayError | null = null;
  try {
    await runInSpan(span, () => callUpstreamToTheEnd(dependencies, request, candidate, numberedParts, cancelSignal, (error) => (failure = error)));
  } finally {
    endUpstreamSpan(span, numberedParts, startedAt, failure);
  }
}

/** The generation itself, traced or not; `onFailure` hears the error its terminal part carries. */
async function callUpstreamToTheEnd(
  dependencies: GenerateHandlerDependencies,
  request: GenerateRequest,
  candidate: RouteCandidate,
  numberedParts: NumberedPartPublisher,
  cancelSignal: AbortSignal,
  onFailure?: (error: GatewayError) => void,
): Promise<void> {
  const { generationId, origin } = request;
  // Issue 10: the attempt also stops when its ingress goes silent, and what it produced is reported.
  const silence = new AbortController();
  let ingressSilent = false;
  const stopWatching =
    origin && dependencies.liveness
      ? dependencies.liveness.watch(origin.ingressId, () => {
          ingressSilent = true;
          silence.abort(ingressWentSilent());
        })
      : () => undefined;
  const signal = origin ? AbortSignal.any([cancelSignal, silence.signal]) : cancelSignal;
  const { parts, summary } = observeAttemptParts(numberedParts);
  const startedAtWallClock = Date.now();
  let reportOutcome: "completed" | "failed" | "aborted" = "completed";
  dependencies.attempts.track(request.replyTo, parts);
  const stopHeartbeats = publishHeartbeats(parts, dependencies.heartbeatIntervalMs);
  const logContext = { generation_id: generationId, endpoint_id: candidate.endpointId, provider_id: candidate.providerId };
  const startedAt = performance.now();
  // Known once read, so the error path can scrub it from what the provider said.
  let apiKey: string | undefined;
  try {
    signal.throwIfAborted();
    if ("operation" in request) {
      const adapter = (dependencies.embeddingAdapters ?? embeddingRegistry).get(candidate.api);
      if (adapter === undefined) throw new SwitchboardError(unsupportedApiError(candidate));
      apiKey = resolveCandidateKey(candidate, dependencies.resolveApiKey);
      await callEmbeddingUpstream({ transport: dependencies.transport, adapter, request, candidate, apiKey, parts, signal, logger: dependencies.logger, logContext });
    } else {
      const adapter = dependencies.registry.get(candidate.api);
      if (adapter === undefined) throw new SwitchboardError(unsupportedApiError(candidate));
      apiKey = resolveCandidateKey(candidate, dependencies.resolveApiKey);
      await callUpstream(dependencies, request, candidate, adapter, apiKey, parts, signal, logContext);
    }
    // An abort can end the body without an error (the stream simply stops): that is not a success.
    signal.throwIfAborted();
    parts.publish({ type: "stream-end" });
    dependencies.logger.debug({ ...logContext, durationMs: Math.round(performance.now() - startedAt) }, "generation finished");
    recordOutcome(dependencies, candidate, parts, startedAt, null);
  } catch (thrown) {
    // Whatever an abort made the transport throw, the reason of the abort (a cancel, or shutdown) decides.
    let error: GatewayError;
    reportOutcome = signal.aborted ? "aborted" : "failed";
    if (signal.aborted) error = InFlightGenerations.errorForAbort(signal);
    else if (thrown instanceof SwitchboardError) error = thrown.error;
    else error = classifyTransportError(thrown, candidate.providerName);
    // The provider's message travels on as metadata.raw; a provider may quote the key it was sent. Scrubbed
    // before it was cut already (callUpstream); again here for every other way provider text reaches an error.
    error = scrubErrorKeyMaterial(error, apiKey);

    if (error.code === gatewayErrorCodes.internal) {
      // Never the thrown value itself: its message or stack may quote what the provider sent.
      dependencies.logger.error({ ...logContext, err: scrubThrownKeyMaterial(thrown, apiKey) }, "generation failed unexpectedly");
    }
    else if (!signal.aborted) {
      dependencies.logger.warn({ ...logContext, code: error.code, status: error.status, outputSent: parts.outputSent }, "generation failed");
    }

    // Our own aborts are not the provider's failure, so they do not name it.
    const metadata = signal.aborted ? error.metadata : { ...error.metadata, provider_name: candidate.providerName };
    parts.publish({ type: "error", error: { ...error, ...(metadata !== undefined ? { metadata } : {}) }, beforeFirstToken: !parts.outputSent });
    onFailure?.(error);
    if (!signal.aborted) recordOutcome(dependencies, candidate, parts, startedAt, error);
  } finally {
    stopHeartbeats();
    stopWatching();
    dependencies.attempts.finish(request.replyTo);
  }
  // After the terminal part went to ingress: the report is off the answer's path.
  if (origin && dependencies.usageReports) {
    const finishedAt = performance.now();
    const report = buildUsageReport({
      request: { ...request, origin },
      candidate,
      progress: parts.progress(),
      outputSent: parts.outputSent,
      finishReason: summary.finishReason,
      upstreamId: summary.upstreamId,
      outcome: reportOutcome,
      ingressSilent,
      startedAt: startedAtWallClock,
      latencyMs: finishedAt - startedAt,
      timeToFirstTokenMs: parts.firstOutputAt === null ? null : parts.firstOutputAt - startedAt,
    });
    if (report) dependencies.usageReports.report(report);
    if (ingressSilent) dependencies.logger.warn({ ...logContext, reported: report !== null }, "generation stopped: its ingress went silent");
  }
}

/** Hands the attempt's outcome to the reporter: time to first token, and output tokens per second after it when usage says how many. */
function recordOutcome(dependencies: GenerateHandlerDependencies, candidate: RouteCandidate, parts: NumberedPartPublisher, startedAt: number, error: GatewayError | null): void {
  const outcome = classifyAttemptOutcome(error);
  if (outcome === undefined) return;
  const errorClass = error === null ? null : classifyUpstreamError(outcome, error);
  if (errorClass !== null) upstreamErrorMetrics().record(candidate.providerId, errorClass);
  const firstOutputAt = parts.firstOutputAt;
  const finishedAt = performance.now();
  const outputTokens = parts.progress().usage?.completionTokens ?? 0;
  const streamingSeconds = firstOutputAt === null ? 0 : (finishedAt - firstOutputAt) / 1000;
  dependencies.outcomes.record({
    endpointId: candidate.endpointId,
    outcome,
    ...(firstOutputAt !== null ? { timeToFirstTokenMilliseconds: firstOutputAt - startedAt } : {}),
    // A whole answer in one message has no measurable rate after its first token.
    ...(error === null && outputTokens > 1 && streamingSeconds > 0.001 ? { outputTokensPerSecond: outputTokens / streamingSeconds } : {}),
  });
}

/**
 * The `connector.generate` endpoint (it answers itself: `answersItself`). Resolves the endpoint the
 * message names in the connector's own catalog (an unknown id is refused in an error reply, before
 * anything is sent anywhere), then takes the request with part 0, a `stream-start` without an upstream
 * id: ingress waits for no separate reply, that part is the acknowledgement. Part 0 goes with the first
 * part the upstream call produces when that comes within `acknowledgementDelayMs`, alone otherwise. The
 * upstream call runs in the background, publishing numbered parts to `request.replyTo` (the provider's
 * own `stream-start`, with its id, among them, and a `heartbeat` part every `heartbeatIntervalMs` while it
 * runs). Every generation ends with exactly one terminal part: `stream-end` after success, or an `error`
 * part saying whether any output had been sent (only then may ingress try the next candidate).
 */
export function createGenerateHandler(dependencies: GenerateHandlerDependencies): (request: GenerateRequest) => Promise<void> {
  return async (request) => {
    const candidate = dependencies.endpoints.resolve(request.endpointId);
    const parts = createNumberedPartPublisher(dependencies.connection, request.replyTo);
    parts.acknowledge(dependencies.acknowledgementDelayMs);
    dependencies.inFlight.start(request.generationId, (signal) => runGeneration(dependencies, request, candidate, parts, signal));
  };
}
