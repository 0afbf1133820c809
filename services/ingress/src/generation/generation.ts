import {
  computeCostMicros,
  computeMaximumCostMicros,
  gatewayError,
  gatewayErrorCodes,
  generateReplySchema,
  reserveReplySchema,
  SwitchboardError,
  type AuthenticatedKey,
  type ChatRequest,
  type GatewayError,
  type GenerationAttempt,
  type GenerationCompleted,
  type GenerationStatus,
  type RouteCandidate,
  type StreamPart,
  type TokenUsage,
} from "@switchboard/contracts";
import type { ServiceClients } from "../plugins/service-clients.js";
import type { LocalRouting } from "../routing/local-routing.js";
import { createGenerationId } from "./create-generation-id.js";
import { estimateUsage } from "./estimate-tokens.js";
import { PartReader } from "./part-reader.js";
import { probeAttemptProgress } from "./probe-attempt-progress.js";
import { ResponseAccumulator } from "./response-accumulator.js";

export interface GenerationOptions {
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
  request: ChatRequest;
  /** promptTokenUpperBound of the raw body the request was parsed from. */
  promptBytes: number;
}

const aborted = Symbol("aborted");
const noUsage: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, reasoningTokens: 0 };

/**
 * One chat completion from route to fact (DESIGN.md "One chat completion"): route, reserve an upper
 * bound, try candidates in order until one produces output (fallback happens only before the first
 * token), relay its parts, and publish the completion fact that settles and records it.
 */
export class Generation {
  readonly id = createGenerationId();
  readonly accumulator = new ResponseAccumulator();
  readonly attempts: GenerationAttempt[] = [];
  readonly startedAt = Date.now();
  readonly streamed: boolean;
  candidate: RouteCandidate | undefined;
  private readonly startedAtMonotonic = performance.now();
  private candidates: RouteCandidate[] = [];
  private reader: PartReader | undefined;
  private buffered: StreamPart[] = [];
  private firstOutputAt: number | null = null;
  private failure: GatewayError | null = null;
  private cancelled = false;
  private reserved = false;
  private factPublished = false;
  private readonly promptBytes: number;
  // An explicit timer and controller rather than AbortSignal.timeout(): a timeout signal nothing else
  // references can be garbage-collected before it fires, and then the limit silently never applies.
  private readonly deadlineController = new AbortController();
  private readonly deadlineTimer: NodeJS.Timeout;
  private readonly onShutdown = () => this.deadlineController.abort();

  constructor(private readonly options: GenerationOptions) {
    this.streamed = options.request.stream === true;
    this.promptBytes = options.promptBytes;
    this.deadlineTimer = setTimeout(this.onShutdown, options.maximumDurationMs);
    if (options.shutdownSignal.aborted) this.deadlineController.abort();
    else options.shutdownSignal.addEventListener("abort", this.onShutdown, { once: true });
  }

  /** Fires at the maximum duration or at ingress shutdown: the generation must end, as a failure. */
  get deadline(): AbortSignal {
    return this.deadlineController.signal;
  }

  /** Releases the timer and the shutdown listener; call once the request is over, whatever happened. */
  dispose(): void {
    clearTimeout(this.deadlineTimer);
    this.options.shutdownSignal.removeEventListener("abort", this.onShutdown);
  }

  /** Routes (in process) and reserves. Throws the client-facing error (400/402/404/503) with nothing held. */
  async prepare(): Promise<void> {
    const { routing, request } = this.options;
    const route = routing.route({
      models: [request.model, ...(request.models ?? []).filter((model) => model !== request.model)],
      ...(request.provider ? { provider: request.provider } : {}),
    });
    const candidates = this.withinRequestedOutput(route.candidates);
    const bounds = candidates.map((candidate) => this.maximumCost(candidate));
    const everyCandidate = Math.max(...bounds);
    const firstCandidate = bounds[0] ?? everyCandidate;
    try {
      await this.reserve(everyCandidate);
      this.candidates = candidates;
    } catch (error) {
      // Holding enough for the priciest fallback may be more than the account has; the first (cheapest
      // by default) candidate alone may still be affordable, with fallbacks limited to what that covers.
      if (!(error instanceof SwitchboardError && error.error.status === 402) || firstCandidate >= everyCandidate) throw error;
      await this.reserve(firstCandidate);
      this.candidates = candidates.filter((_candidate, index) => (bounds[index] ?? Infinity) <= firstCandidate);
    }
    this.reserved = true;
  }

  /** Tries candidates until one produces output. Throws the last error when none does. */
  async connect(signal: AbortSignal): Promise<void> {
    const { clients } = this.options;
    const stop = AbortSignal.any([signal, this.deadline]);
    let lastError: GatewayError = gatewayError(gatewayErrorCodes.noEndpoints, 503, "No provider could serve this request.", { retryable: true });
    for (const candidate of this.candidates) {
      if (stop.aborted) break;
      const reader = new PartReader(clients.connection, {
        idleTimeoutMs: this.options.idleTimeoutMs,
        probeProgress: (inbox) => probeAttemptProgress(clients, inbox),
        onReconnect: (listener) => clients.state.onReconnect(listener),
      });
      try {
        await clients.request(
          clients.subjects.connectorGenerate,
          {
            generationId: this.id,
            // The connector resolves URL, key and upstream model from its own snapshot: only the id travels.
            endpointId: candidate.endpointId,
            body: this.options.request,
            stream: this.streamed,
            maxCompletionTokens: this.outputCap(candidate),
            replyTo: reader.inbox,
          },
          generateReplySchema,
          "provider-connector",
        );
      } catch (error) {
        reader.close();
        // The connector may have taken the request even though its answer was lost.
        this.publishCancel();
        lastError = error instanceof SwitchboardError ? error.error : gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true });
        this.attempts.push({ endpointId: candidate.endpointId, providerId: candidate.providerId, status: lastError.status, errorCode: lastError.code });
        continue;
      }
      const buffered: StreamPart[] = [];
      for (;;) {
        const part = await nextOrAbort(reader, stop);
        if (part === aborted) {
          reader.close();
          this.candidate = candidate;
          if (signal.aborted) {
            this.cancel();
            return;
          }
          this.publishCancel();
          throw this.fail(this.deadlineError(), candidate);
        }
        if (part.type === "stream-start") {
          buffered.push(part);
          continue;
        }
        if (part.type === "error") {
          // An error ingress raised itself (silence, lost parts) leaves the upstream call running: stop it
          // now, before another candidate is tried or the client is answered.
          if (part.seq === -1) this.publishCancel();
          lastError = part.error;
          this.attempts.push({ endpointId: candidate.endpointId, providerId: candidate.providerId, status: part.error.status, errorCode: part.error.code });
          if (!part.error.retryable) throw this.fail(part.error, candidate);
          break;
        }
        buffered.push(part);
        this.candidate = candidate;
        this.reader = reader;
        this.buffered = buffered;
        this.firstOutputAt = performance.now();
        this.attempts.push({ endpointId: candidate.endpointId, providerId: candidate.providerId, status: 200, errorCode: null });
        return;
      }
    }
    if (signal.aborted) {
      this.cancelled = true;
      return;
    }
    if (this.deadline.aborted) throw this.fail(this.deadlineError(), this.candidates.at(-1));
    throw this.fail(lastError, this.candidates.at(-1));
  }

  /** True when the client went away before or during the generation. */
  get wasCancelled(): boolean {
    return this.cancelled;
  }

  /**
   * The parts of the chosen candidate, ending with `stream-end` or `error`. When the client goes away it
   * stops (parts already received still count: their usage may be among them); at the deadline it ends
   * with an error part. However the consumer leaves, the upstream call does not outlive this loop.
   */
  async *parts(signal: AbortSignal): AsyncGenerator<StreamPart> {
    const reader = this.reader;
    if (!reader) return;
    const stop = AbortSignal.any([signal, this.deadline]);
    const pending = [...this.buffered];
    this.buffered = [];
    let ended = false;
    try {
      for (;;) {
        if (signal.aborted) {
          this.absorbQueued(pending, reader);
          this.cancel();
          return;
        }
        const next = pending.shift() ?? (await nextOrAbort(reader, stop));
        if (next === aborted && signal.aborted) continue;
        let part: StreamPart;
        if (next === aborted) {
          part = { type: "error", seq: -1, error: this.deadlineError(), beforeFirstToken: false };
        } else if (next.type === "error") {
          part = { ...next, beforeFirstToken: false };
        } else {
          part = next;
        }
        if (part.type === "error" && part.seq === -1) {
          reader.close();
          this.publishCancel();
        }
        this.accumulator.add(part);
        if (part.type === "error") this.failure = part.error;
        if (part.type === "stream-end" || part.type === "error") ended = true;
        yield part;
        if (ended) return;
      }
    } finally {
      if (!ended && !this.cancelled) {
        // The consumer stopped early (an exception while answering): nobody will read the rest.
        reader.close();
        this.publishCancel();
      }
    }
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

  /**
   * Tokens to charge. A failure the client received no output from is not charged; a cancelled or
   * failed stream is charged for what was produced, by the provider's count or else our estimate.
   */
  chargeableUsage(deliveredOutput: boolean): { usage: TokenUsage; estimated: boolean } {
    if (this.failure && !deliveredOutput) return { usage: noUsage, estimated: false };
    // Parts lost to a NATS outage still count: the connector's own report covers what never arrived.
    const reported = this.reader?.connectorProgress ?? null;
    const usage = this.accumulator.usage ?? reported?.usage ?? null;
    if (usage) return { usage, estimated: false };
    if (!this.accumulator.producedOutput && (this.cancelled || this.failure)) return { usage: noUsage, estimated: false };
    const outputBound = this.candidate ? this.outputBound(this.candidate) : 0;
    const outputBytes = Math.max(this.accumulator.outputBytes(), reported?.outputBytes ?? 0);
    return { usage: estimateUsage(this.promptBytes, outputBytes, outputBound), estimated: true };
  }

  costMicros(usage: TokenUsage): number {
    return this.candidate ? computeCostMicros(usage, this.candidate.price) : 0;
  }

  /**
   * Publishes the completion fact (retried until JetStream acknowledges), after answering. Only the first
   * call counts, so a safety net can call it again on unexpected paths without charging twice.
   */
  publishFact(deliveredOutput: boolean): void {
    if (!this.reserved || this.factPublished) return;
    this.factPublished = true;
    const { usage, estimated } = this.chargeableUsage(deliveredOutput);
    const candidate = this.candidate ?? this.candidates[0];
    const status: GenerationStatus = this.cancelled ? "cancelled" : this.failure ? "error" : "success";
    const fact: GenerationCompleted = {
      generationId: this.id,
      accountId: this.options.key.accountId,
      keyId: this.options.key.keyId,
      modelId: candidate?.modelId ?? this.options.request.model,
      providerId: candidate?.providerId ?? null,
      providerName: candidate?.providerName ?? null,
      endpointId: candidate?.endpointId ?? null,
      price: candidate?.price ?? { promptPicosPerToken: "0", completionPicosPerToken: "0" },
      usage,
      usageEstimated: estimated,
      status,
      errorCode: this.failure?.code ?? null,
      finishReason: this.cancelled ? null : this.failure ? "error" : (this.accumulator.finishReason ?? "stop"),
      nativeFinishReason: this.accumulator.nativeFinishReason,
      streamed: this.streamed,
      upstreamId: this.accumulator.upstreamId,
      latencyMs: Math.round(performance.now() - this.startedAtMonotonic),
      timeToFirstTokenMs: this.firstOutputAt === null ? null : Math.round(this.firstOutputAt - this.startedAtMonotonic),
      attempts: this.attempts,
      createdAt: new Date(this.startedAt).toISOString(),
    };
    const { clients } = this.options;
    clients.publisher.publish(clients.subjects.generationCompleted, fact, this.id).catch(() => {
      // FactPublisher already retried for minutes and logged; the reservation sweeper releases the hold.
    });
  }

  private publishCancel(): void {
    this.options.clients.connection.publish(this.options.clients.subjects.connectorCancel(this.id));
  }

  private deadlineError(): GatewayError {
    if (this.options.shutdownSignal.aborted) {
      return gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "Switchboard is restarting and stopped this generation. Retry the request.", { retryable: true });
    }
    const seconds = Math.round(this.options.maximumDurationMs / 1000);
    return gatewayError(gatewayErrorCodes.upstreamTimeout, 504, `The generation ran longer than the ${seconds} s limit and was stopped.`, { retryable: false });
  }

  /** Folds parts that arrived but were not relayed into the record (the provider's usage may be one). */
  private absorbQueued(pending: StreamPart[], reader: PartReader): void {
    for (let part = pending.shift() ?? reader.takeQueued(); part; part = pending.shift() ?? reader.takeQueued()) {
      if (part.type === "usage") this.accumulator.add(part);
    }
  }

  private fail(error: GatewayError, candidate: RouteCandidate | undefined): SwitchboardError {
    this.failure = error;
    this.candidate ??= candidate;
    return new SwitchboardError(error);
  }

  private async reserve(amountMicros: number): Promise<void> {
    const { clients, key } = this.options;
    await clients.request(
      clients.subjects.billingReserve,
      { generationId: this.id, accountId: key.accountId, keyId: key.keyId, amountMicros },
      reserveReplySchema,
      "billing",
    );
  }

  private requestedOutput(): number | null {
    return this.options.request.max_completion_tokens ?? this.options.request.max_tokens ?? null;
  }

  /**
   * Endpoints that can produce the output the client asked for (OpenRouter routes `max_tokens` only to
   * providers supporting that length); a request no endpoint can honour is refused, never clamped.
   */
  private withinRequestedOutput(candidates: RouteCandidate[]): RouteCandidate[] {
    const requested = this.requestedOutput();
    if (requested === null) return candidates;
    const fitting = candidates.filter((candidate) => requested <= (candidate.maxCompletionTokens ?? candidate.contextLength));
    if (fitting.length > 0) return fitting;
    const largest = Math.max(...candidates.map((candidate) => candidate.maxCompletionTokens ?? candidate.contextLength));
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.invalidRequest, 400, `max_tokens ${requested} is more than any provider of this model allows (at most ${largest}). Lower max_tokens.`, {
        metadata: { max_tokens: requested, maximum: largest },
      }),
    );
  }

  /** The cap sent upstream: the client's, else the endpoint's catalog cap, else none. */
  private outputCap(candidate: RouteCandidate): number | null {
    return this.requestedOutput() ?? candidate.maxCompletionTokens;
  }

  /** The most output the candidate can produce: its cap, or without one the whole context window. */
  private outputBound(candidate: RouteCandidate): number {
    return this.outputCap(candidate) ?? candidate.contextLength;
  }

  private maximumCost(candidate: RouteCandidate): number {
    return computeMaximumCostMicros(this.promptBytes, this.outputBound(candidate), candidate.price);
  }
}

/** The next part, unless the signal has fired or fires first. */
function nextOrAbort(reader: PartReader, signal: AbortSignal): Promise<StreamPart | typeof aborted> {
  if (signal.aborted) return Promise.resolve(aborted);
  const queued = reader.takeQueued();
  if (queued) return Promise.resolve(queued);
  return new Promise((resolve) => {
    const onAbort = () => resolve(aborted);
    signal.addEventListener("abort", onAbort, { once: true });
    void reader.next().then((part) => {
      signal.removeEventListener("abort", onAbort);
      resolve(part);
    });
  });
}
