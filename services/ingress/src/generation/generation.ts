import {
  computeCostMicros,
  gatewayError,
  gatewayErrorCodes,
  generationApiTypes,
  SwitchboardError,
  type AuthenticatedKey,
  type ChatRequest,
  type EmbeddingsRequest,
  type GatewayError,
  type GenerationAttempt,
  type GenerationOrigin,
  type RouteCandidate,
  type SkippedEndpoint,
  type StreamPart,
  type TokenUsage,
} from "@switchboard/contracts";
import { injectTraceContext } from "@switchboard/messaging";
import { RoutingRefusal } from "@switchboard/routing";
import { generationMetrics, isTracing } from "@switchboard/telemetry";
import type { CreditLeases } from "../credit/credit-leases.js";
import type { ServiceClients } from "../plugins/service-clients.js";
import { conversationKey } from "../routing/conversation-key.js";
import { describeRouting } from "../routing/describe-routing.js";
import type { LocalRouting } from "../routing/local-routing.js";
import type { StickyEndpoints } from "../routing/sticky-endpoints.js";
import { buildCompletionFact } from "./build-completion-fact.js";
import { chargeableUsage, type ChargeableUsage } from "./chargeable-usage.js";
import { createGenerationId } from "./create-generation-id.js";
import { deadlineError } from "./deadline-error.js";
import { droppedParametersOf } from "./dropped-parameters-of.js";
import { GenerationTrace } from "./generation-trace.js";
import { defaultFallbackPolicy, type FallbackPolicy } from "./fallback-policy.js";
import { outputBound } from "./output-limits.js";
import type { PartReader } from "./part-reader.js";
import { preferStickyEndpoint } from "./prefer-sticky-endpoint.js";
import { prepareCandidates, type PricedCandidate } from "./prepare-candidates.js";
import { prepareEmbeddingCandidates } from "./prepare-embedding-candidates.js";
import { relayParts } from "./relay-parts.js";
import { reserveCredit, type HeldCredit } from "./reserve-credit.js";
import { unaffordableEmbeddingsError } from "./unaffordable-embeddings-error.js";
import { unaffordableRequestError } from "./unaffordable-request-error.js";
import { ResponseAccumulator } from "./response-accumulator.js";
import type { OutstandingFacts } from "./outstanding-facts.js";
import { runAttempt } from "./run-attempt.js";

/**
 * What the generation produces: a chat completion (`request`, also what legacy completions are served
 * as), or the vectors of an embeddings request (`embeddings`). Everything else (routing, credit,
 * fallback, settlement, the fact) is the same for both.
 */
export type GenerationWork = { request: ChatRequest; embeddings?: undefined } | { request?: undefined; embeddings: EmbeddingsRequest };

export type GenerationOptions = GenerationSettings & GenerationWork;

export interface GenerationSettings {
  clients: ServiceClients;
  /** The router's latest routing snapshot, ranked in process: routing waits on no other service. */
  routing: LocalRouting;
  /** Longest silence (not even a heartbeat) from the connector before an attempt is given up. */
  idleTimeoutMs: number;
  /** Longest a generation may run; kept below billing's reservation TTL so a hold never lapses mid-way. */
  maximumDurationMs: number;
  /** Fires when this ingress stops: generations still running are ended (and their facts published). */
  shutdownSignal: AbortSignal;
  key: AuthenticatedKey;
  /** promptTokenUpperBound of the raw body the request was parsed from. */
  promptBytes: number;
  /** This replica's credit leases; null when disabled (every request reserves through billing). */
  leases: CreditLeases | null;
  /** How many attempts, and for how long, before the last error is the answer; defaults to 3 per model within 60 s. */
  fallback?: FallbackPolicy;
  /** This replica's sticky routing for prompt caching (routing/sticky-endpoints.ts); absent or null turns it off. */
  stickyEndpoints?: StickyEndpoints | null;
  /** The session the request names (`session_id`, else `x-session-id`), if any. */
  sessionId?: string | undefined;
  /**
   * This replica's name in its heartbeats. With it, each attempt tells the connector who asked and what
   * holds the credit, so the connector stops the call if this replica dies and reports what it produced.
   */
  ingressId?: string;
  /**
   * This replica's generations whose fact is not stored yet (with `ingressId`): each generation takes a
   * number for its generate requests and gives it back once its fact is acknowledged, so connectors drop
   * their usage report of it rather than publish it (issue 10).
   */
  outstandingFacts?: OutstandingFacts;
}

/**
 * One chat completion from route to fact (DESIGN.md "One chat completion"), coordinating its steps:
 * candidates (prepare-candidates.ts), credit (reserve-credit.ts), attempts in order until one produces
 * output (run-attempt.ts; fallback happens only before the first token), relay (relay-parts.ts), the
 * charge (chargeable-usage.ts) and the completion fact (build-completion-fact.ts) that settles and records it.
 */
export class Generation {
  readonly id = createGenerationId();
  readonly accumulator = new ResponseAccumulator();
  readonly attempts: GenerationAttempt[] = [];
  readonly startedAt = Date.now();
  readonly streamed: boolean;
  candidate: RouteCandidate | undefined;
  private readonly startedAtMonotonic = performance.now();
  private held: HeldCredit | undefined;
  private reader: PartReader | undefined;
  private readParts: StreamPart[] = [];
  private firstOutputAt: number | null = null;
  private failure: GatewayError | null = null;
  private cancelled = false;
  private factPublished = false;
  /** This generation's number in `outstandingFacts`, taken with its first generate request. */
  private factSequence: number | undefined;
  /** Routing's left-out endpoints, kept (not copied) for the routing debug output. */
  private skipped: readonly SkippedEndpoint[] = [];
  /** The conversation's sticky endpoint when it was moved to the front of the candidates. */
  private stickyEndpointId: string | null = null;
  private conversation: string | undefined;
  // An explicit timer and controller rather than AbortSignal.timeout(): a timeout signal nothing else
  // references can be garbage-collected before it fires, and then the limit silently never applies.
  private readonly deadlineController = new AbortController();
  private readonly deadlineTimer: NodeJS.Timeout;
  private readonly onShutdown = () => this.deadlineController.abort();
  /** The generation's spans; null while tracing is off, so the request path then does nothing for them. */
  private readonly trace: GenerationTrace | null;
  /** The models and provider preferences the client asked for, whatever the work. */
  private readonly asked: Pick<ChatRequest, "model" | "models" | "provider">;
  /** What each attempt asks the connector for, built once rather than per attempt. */
  private readonly work: { request: ChatRequest } | { embeddings: EmbeddingsRequest };

  constructor(private readonly options: GenerationOptions) {
    this.asked = options.request ?? options.embeddings;
    this.work = options.request ? { request: options.request } : { embeddings: options.embeddings };
    this.streamed = options.request?.stream === true;
    this.trace = isTracing() ? new GenerationTrace(this.id, this.asked.model ?? this.asked.models?.[0] ?? "") : null;
    this.deadlineTimer = setTimeout(this.onShutdown, options.maximumDurationMs);
    if (options.shutdownSignal.aborted) this.deadlineController.abort();
    else options.shutdownSignal.addEventListener("abort", this.onShutdown, { once: true });
  }

  /** Fires at the maximum duration or at ingress shutdown: the generation must end, as a failure. */
  get deadline(): AbortSignal {
    return this.deadlineController.signal;
  }

  /** Releases the timer and the shutdown listener and ends the spans; call once the request is over, whatever happened. */
  dispose(): void {
    this.trace?.end();
    clearTimeout(this.deadlineTimer);
    this.options.shutdownSignal.removeEventListener("abort", this.onShutdown);
  }

  /** Routes (in process) and reserves. Throws the client-facing error (400/402/404/503) with nothing held. */
  async prepare(): Promise<void> {
    const { clients, routing, key, request, promptBytes } = this.options;
    let prepared: ReturnType<typeof prepareCandidates>;
    try {
      prepared = request
        ? prepareCandidates(routing, request, promptBytes, key.dataPolicy)
        : prepareEmbeddingCandidates(routing, this.options.embeddings, promptBytes, key.dataPolicy);
    } catch (error) {
      // A refusal's skipped endpoints are what the routing debug output shows for it.
      if (error instanceof RoutingRefusal) this.skipped = [...error.skipped];
      throw error;
    }
    this.skipped = prepared.skipped;
    const ordered = this.withStickyEndpointFirst(prepared.candidates);
    try {
      try {
        this.held = await reserveCredit(clients, key, this.id, ordered, this.options.leases);
      } catch (error) {
        // A sticky endpoint dearer than the account can cover must not turn an affordable request into a
        // 402: the routed order may still be (its first candidate alone, at least).
        if (ordered === prepared.candidates || !(error instanceof SwitchboardError && error.error.status === 402)) throw error;
        this.stickyEndpointId = null;
        this.held = await reserveCredit(clients, key, this.id, prepared.candidates, this.options.leases);
      }
    } catch (error) {
      // The last reservation tried was for the routed first candidate alone: the 402 says what it affords.
      // An embeddings request has no output to lower: its refusal says so.
      if (!request) throw unaffordableEmbeddingsError(error);
      const first = prepared.candidates[0]?.candidate;
      if (!first) throw error;
      throw unaffordableRequestError(error, { price: first.price, maximumPromptTokens: prepared.maximumPromptTokens, requestedTokens: this.outputBoundOf(first) });
    }
  }

  /**
   * The routing debug output (routing/describe-routing.ts) for the `x-switchboard-routing` header: the
   * candidates in the order they are tried, the endpoints left out and, with `withAttempts`, the attempts.
   */
  describeRouting(withAttempts: boolean): string {
    const { routing } = this.options;
    const request = this.asked;
    return describeRouting(
      {
        models: request.model === undefined ? (request.models ?? []) : [request.model, ...(request.models ?? [])],
        provider: request.provider,
        candidates: this.held?.candidates ?? [],
        skipped: this.skipped,
        stickyEndpointId: this.stickyEndpointId,
        attempts: withAttempts ? this.attempts : null,
      },
      routing.catalog().table,
    );
  }

  /**
   * Tries candidates until one produces output, within the fallback policy (at most N attempts per model,
   * none started after the deadline). Throws the last error when none does; the last a provider gave
   * (with its `provider_name` and `raw` message) when a later attempt never reached a provider.
   */
  async connect(signal: AbortSignal): Promise<void> {
    const candidates = this.held?.candidates ?? [];
    const stop = AbortSignal.any([signal, this.deadline]);
    const policy = this.options.fallback ?? defaultFallbackPolicy;
    const attemptsByModel = new Map<string, number>();
    let lastError: GatewayError = gatewayError(gatewayErrorCodes.noEndpoints, 503, "No provider could serve this request.", { retryable: true });
    let lastCandidate = candidates.at(-1);
    // The last failure a provider itself gave (it names the provider and carries its message): when a
    // later attempt failed without reaching a provider (no connector took it), this one tells the client more.
    let lastProviderFailure: { error: GatewayError; candidate: RouteCandidate } | undefined;
    for (let index = 0; index < candidates.length; index++) {
      const candidate = candidates[index] as RouteCandidate;
      if (stop.aborted) break;
      const attemptsOfModel = attemptsByModel.get(candidate.modelId) ?? 0;
      if (attemptsOfModel >= policy.maximumAttemptsPerModel) continue;
      if (this.attempts.length > 0 && performance.now() - this.startedAtMonotonic >= policy.deadlineMs) break;
      attemptsByModel.set(candidate.modelId, attemptsOfModel + 1);
      lastCandidate = candidate;
      const attemptStartedAt = performance.now();
      const { clients, idleTimeoutMs } = this.options;
      const origin = this.originOf(this.attempts.length, candidate);
      const headers = this.trace?.startAttempt(candidate, this.attempts.length + 1, clients.subjects.connectorGenerate);
      const outcome = await runAttempt(
        { clients, generationId: this.id, candidate, ...this.work, idleTimeoutMs, ...(origin ? { origin } : {}), ...(headers ? { headers } : {}) },
        stop,
      );
      if (outcome.type === "stopped") {
        this.trace?.attemptStopped();
        this.candidate = candidate;
        if (signal.aborted) {
          this.cancel();
          return;
        }
        this.publishCancel();
        throw this.fail(this.deadlineError(), candidate);
      }
      if (outcome.type === "failed") {
        lastError = outcome.error;
        if (typeof outcome.error.metadata?.["provider_name"] === "string") lastProviderFailure = { error: outcome.error, candidate };
        this.recordAttempt(candidate, outcome.error.status, outcome.error.code, attemptStartedAt);
        if (!outcome.fallBack) {
          // OpenRouter moves to another provider only on a retryable failure, but to the next model of
          // `models` on any failure (https://openrouter.ai/docs/guides/routing/model-fallbacks).
          const nextModel = candidates.findIndex((other, position) => position > index && other.modelId !== candidate.modelId);
          this.trace?.attemptFailed(outcome.error, nextModel !== -1);
          if (nextModel === -1) throw this.fail(outcome.error, candidate);
          generationMetrics().recordFallback(candidate.modelId, outcome.error.code);
          index = nextModel - 1;
        } else {
          const fallingBack = index < candidates.length - 1;
          this.trace?.attemptFailed(outcome.error, fallingBack);
          if (fallingBack) generationMetrics().recordFallback(candidate.modelId, outcome.error.code);
        }
        continue;
      }
      this.candidate = candidate;
      this.reader = outcome.reader;
      this.readParts = outcome.parts;
      this.firstOutputAt = performance.now();
      this.trace?.attemptProducedOutput(this.firstOutputAt - this.startedAtMonotonic);
      this.recordAttempt(candidate, 200, null, attemptStartedAt, droppedParametersOf(outcome.parts));
      return;
    }
    if (signal.aborted) {
      this.cancelled = true;
      return;
    }
    if (this.deadline.aborted) throw this.fail(this.deadlineError(), lastCandidate);
    if (lastProviderFailure && lastProviderFailure.error !== lastError) throw this.fail(lastProviderFailure.error, lastProviderFailure.candidate);
    throw this.fail(lastError, lastCandidate);
  }

  /** True when the client went away before or during the generation. */
  get wasCancelled(): boolean {
    return this.cancelled;
  }

  /**
   * The parts of the chosen candidate, ending with `stream-end` or `error` (see relay-parts.ts), each
   * folded into the accumulator before it is handed on.
   */
  async *parts(signal: AbortSignal): AsyncGenerator<StreamPart> {
    const reader = this.reader;
    if (!reader) return;
    const relayed = relayParts({
      reader,
      parts: this.readParts,
      clientGone: signal,
      deadline: this.deadline,
      deadlineError: () => this.deadlineError(),
      onClientGone: (unrelayed) => {
        // The provider's usage may be among the parts that arrived but were not relayed.
        for (const part of unrelayed) if (part.type === "usage") this.accumulator.add(part);
        this.cancel();
      },
      stopUpstream: () => this.publishCancel(),
    });
    this.readParts = [];
    for await (const part of relayed) {
      this.accumulator.add(part);
      if (part.type === "error") this.failure = part.error;
      yield part;
    }
    // Remembered before the answer's end reaches the client, so its next request already sticks.
    if (this.failure === null && !this.cancelled) this.rememberStickyEndpoint();
  }

  /** Marks a generation that ended through an unexpected exception: not a success, and not charged as one. */
  failUnexpectedly(): void {
    if (this.failure || this.cancelled) return;
    this.failure = gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true });
    if (this.reader) {
      this.reader.close();
      this.publishCancel();
    }
  }

  /** Stops the upstream call: every connector replica hears this and the one running it aborts. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.reader?.close();
    this.publishCancel();
  }

  /** Tokens to charge (see chargeable-usage.ts). */
  chargeableUsage(deliveredOutput: boolean): ChargeableUsage {
    return chargeableUsage({
      accumulator: this.accumulator,
      connectorProgress: this.reader?.connectorProgress ?? null,
      failed: this.failure !== null,
      cancelled: this.cancelled,
      deliveredOutput,
      promptBytes: this.options.promptBytes,
      outputBound: this.candidate ? this.outputBoundOf(this.candidate) : 0,
    });
  }

  costMicros(usage: TokenUsage): number {
    return this.candidate ? computeCostMicros(usage, this.candidate.price) : 0;
  }

  /**
   * Publishes the completion fact (retried until JetStream acknowledges), after answering. Only the first
   * call counts, so a safety net can call it again on unexpected paths without charging twice; nothing is
   * published when nothing was held.
   */
  publishFact(deliveredOutput: boolean): void {
    const held = this.held;
    if (this.factPublished) return;
    if (!held) {
      // Nothing held, nothing to charge: no connector's report is needed either.
      this.closeFactSequence();
      return;
    }
    this.factPublished = true;
    const now = performance.now();
    const candidate = this.candidate ?? held.candidates[0];
    const charge = this.chargeableUsage(deliveredOutput);
    // Billing charges computeCostMicros(usage, price) from the fact; the lease consumes exactly that.
    const costMicros = candidate ? computeCostMicros(charge.usage, candidate.price) : 0;
    const leaseHold = held.lease && this.options.leases?.finish(held.lease, costMicros);
    const fact = buildCompletionFact({
      generationId: this.id,
      key: this.options.key,
      requestedModel: this.asked.model ?? this.asked.models?.[0] ?? "",
      candidate,
      held,
      ...(leaseHold ? { leaseHold } : {}),
      charge,
      accumulator: this.accumulator,
      failure: this.failure,
      cancelled: this.cancelled,
      streamed: this.streamed,
      attempts: this.attempts,
      apiType: "embeddings" in this.work ? generationApiTypes.embeddings : generationApiTypes.completions,
      startedAt: this.startedAt,
      latencyMs: now - this.startedAtMonotonic,
      timeToFirstTokenMs: this.firstOutputAt === null ? null : this.firstOutputAt - this.startedAtMonotonic,
    });
    this.trace?.finish({ candidate, usage: charge.usage, finishReason: this.accumulator.finishReason, failure: this.failure, cancelled: this.cancelled });
    if (candidate) {
      const timeToFirstTokenMs = this.firstOutputAt === null ? null : this.firstOutputAt - this.startedAtMonotonic;
      generationMetrics().recordGeneration(
        candidate.modelId,
        candidate.providerId,
        (now - this.startedAtMonotonic) / 1000,
        timeToFirstTokenMs === null ? null : timeToFirstTokenMs / 1000,
        charge.usage,
        costMicros / 1_000_000,
      );
    }
    const { clients } = this.options;
    const publishing = clients.publisher.publish(clients.subjects.generationCompleted, fact, this.id, this.trace?.parent);
    // Given back also when the publisher gave up (after 10 minutes of retries): a connector holds a report
    // at most `maximumUsageReportHoldMs` (30 s) before it publishes it anyway, so none is still waiting on it.
    void publishing.then(
      () => this.closeFactSequence(),
      () => this.closeFactSequence(),
      // FactPublisher already retried for minutes and logged; the reservation sweeper releases the hold.
    );
  }

  private closeFactSequence(): void {
    if (this.factSequence === undefined) return;
    this.options.outstandingFacts?.close(this.factSequence);
    this.factSequence = undefined;
  }

  /** False when `provider.order` is set: the client chose the order, so no conversation sticks (OpenRouter). */
  private get sticks(): boolean {
    return this.asked.provider?.order === undefined;
  }

  /**
   * The key this conversation's sticky endpoint for `modelId` is filed under: per account and per model,
   * so the model that served under `models` fallback is remembered for itself. The conversation is hashed
   * at most once per request, and only when sticky routing needs it.
   */
  private stickyKey(modelId: string): string {
    this.conversation ??= conversationKey(this.options.request?.messages ?? [], this.options.sessionId);
    // Account and model ids hold no line break, so the parts cannot run into each other.
    return `${this.options.key.accountId}\n${modelId}\n${this.conversation}`;
  }

  /** The candidates with the conversation's sticky endpoint first, when it has one that may lead. */
  private withStickyEndpointFirst(candidates: PricedCandidate[]): PricedCandidate[] {
    const stickyEndpoints = this.options.stickyEndpoints;
    // Only while this replica remembers no conversation at all is nothing hashed: once it remembers one,
    // every request that may stick hashes its two opening messages (cheap beside the request itself).
    const first = candidates[0]?.candidate;
    if (!this.sticks || !stickyEndpoints || stickyEndpoints.size === 0 || !first) return candidates;
    const endpointId = stickyEndpoints.endpointFor(this.stickyKey(first.modelId));
    if (endpointId === undefined) return candidates;
    const reordered = preferStickyEndpoint(candidates, endpointId, this.options.routing.catalog().table.health);
    if (!reordered) return candidates;
    this.stickyEndpointId = endpointId;
    return reordered;
  }

  /**
   * After a success, the conversation sticks to the endpoint that served it when the provider read its
   * prompt cache (usage `cached_tokens` > 0) or the request names a session (OpenRouter: then from the
   * first success); a success on the sticky endpoint refreshes its idle time. OpenRouter also requires the
   * endpoint's cache-read price to be below its prompt price: an endpoint whose catalog entry gives a
   * cache-read price that saves nothing does not stick for a cache hit; one without a cache-read price
   * does (its provider's hits are taken as discounted). A failure changes nothing.
   */
  private rememberStickyEndpoint(): void {
    const stickyEndpoints = this.options.stickyEndpoints;
    const candidate = this.candidate;
    if (!this.sticks || !stickyEndpoints || !candidate) return;
    const { cacheReadPicosPerToken, promptPicosPerToken } = candidate.price;
    const cacheSaves = cacheReadPicosPerToken === undefined || BigInt(cacheReadPicosPerToken) < BigInt(promptPicosPerToken);
    const readCache = cacheSaves && (this.accumulator.usage?.cachedPromptTokens ?? 0) > 0;
    if (readCache || this.options.sessionId !== undefined || candidate.endpointId === this.stickyEndpointId) {
      stickyEndpoints.remember(this.stickyKey(candidate.modelId), candidate.endpointId);
    }
  }

  private recordAttempt(candidate: RouteCandidate, status: number, errorCode: string | null, startedAt: number, droppedParameters: string[] = []): void {
    this.attempts.push({
      endpointId: candidate.endpointId,
      providerId: candidate.providerId,
      status,
      errorCode,
      modelId: candidate.modelId,
      providerName: candidate.providerName,
      latencyMs: Math.round(performance.now() - startedAt),
      ...(droppedParameters.length > 0 ? { droppedParameters } : {}),
    });
  }

  /**
   * Who asks for attempt number `attempt` of `candidate`, for the connector: ids, and the candidate's price
   * the credit was held at, which its usage report charges (nothing computed per request).
   */
  private originOf(attempt: number, candidate: RouteCandidate): GenerationOrigin | undefined {
    const { ingressId, key } = this.options;
    if (ingressId === undefined) return undefined;
    const lease = this.held?.lease;
    if (this.factSequence === undefined && this.options.outstandingFacts && !this.factPublished) this.factSequence = this.options.outstandingFacts.open();
    return {
      ingressId,
      accountId: key.accountId,
      keyId: key.keyId,
      attempt,
      price: candidate.price,
      ...(this.factSequence === undefined ? {} : { factSequence: this.factSequence }),
      ...(lease ? { lease: { leaseId: lease.lease.id, holdMicros: lease.amountMicros } } : {}),
    };
  }

  private publishCancel(): void {
    const headers = this.trace ? injectTraceContext(undefined, this.trace.parent) : undefined;
    this.options.clients.connection.publish(this.options.clients.subjects.connectorCancel(this.id), undefined, headers ? { headers } : undefined);
  }

  /** The most output a generation on the candidate can produce: none for embeddings, which are charged by input. */
  private outputBoundOf(candidate: RouteCandidate): number {
    return this.options.request ? outputBound(this.options.request, candidate) : 0;
  }

  private deadlineError(): GatewayError {
    return deadlineError(this.options.shutdownSignal.aborted, this.options.maximumDurationMs);
  }

  private fail(error: GatewayError, candidate: RouteCandidate | undefined): SwitchboardError {
    this.failure = error;
    this.candidate ??= candidate;
    return new SwitchboardError(error);
  }
}
