import {
  computeCostMicros,
  computeMaximumCostMicros,
  gatewayError,
  gatewayErrorCodes,
  generateReplySchema,
  reserveReplySchema,
  routeReplySchema,
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
import { createGenerationId } from "./create-generation-id.js";
import { estimateUsage, promptTokenUpperBound } from "./estimate-tokens.js";
import { PartReader } from "./part-reader.js";
import { ResponseAccumulator } from "./response-accumulator.js";

export interface GenerationOptions {
  clients: ServiceClients;
  /** Longest silence (not even a heartbeat) from the connector before an attempt is given up. */
  idleTimeoutMs: number;
  /** Longest a generation may run; kept below billing's reservation TTL so a hold never lapses mid-way. */
  maximumDurationMs: number;
  key: AuthenticatedKey;
  request: ChatRequest;
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

  constructor(private readonly options: GenerationOptions) {
    this.streamed = options.request.stream === true;
    this.promptBytes = promptTokenUpperBound(options.request);
  }

  /** Routes and reserves. Throws the client-facing error (400/402/404/503) with nothing held. */
  async prepare(): Promise<void> {
    const { clients, request } = this.options;
    const route = await clients.request(
      clients.subjects.routerRoute,
      { models: [request.model, ...(request.models ?? []).filter((model) => model !== request.model)], ...(request.provider ? { provider: request.provider } : {}) },
      routeReplySchema,
      "router",
    );
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
    let lastError: GatewayError = gatewayError(gatewayErrorCodes.noEndpoints, 503, "No provider could serve this request.", { retryable: true });
    for (const candidate of this.candidates) {
      if (signal.aborted) break;
      if (this.attempts.length > 0) {
        // The attempt given up on may still be running (a silent connector): stop it before the next one.
        // Published first on this connection, it reaches every connector before the next generate.
        this.publishCancel();
      }
      const reader = new PartReader(clients.connection, this.options.idleTimeoutMs);
      try {
        await clients.request(
          clients.subjects.connectorGenerate,
          {
            generationId: this.id,
            candidate,
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
        lastError = error instanceof SwitchboardError ? error.error : gatewayError(gatewayErrorCodes.internal, 500, "Internal error", { retryable: true });
        this.attempts.push({ endpointId: candidate.endpointId, providerId: candidate.providerId, status: lastError.status, errorCode: lastError.code });
        continue;
      }
      const buffered: StreamPart[] = [];
      for (;;) {
        const part = await nextOrAbort(reader, signal);
        if (part === aborted) {
          reader.close();
          this.candidate = candidate;
          this.cancel();
          return;
        }
        if (part.type === "stream-start") {
          buffered.push(part);
          continue;
        }
        if (part.type === "error") {
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
    throw this.fail(lastError, this.candidates.at(-1));
  }

  /** True when the client went away before or during the generation. */
  get wasCancelled(): boolean {
    return this.cancelled;
  }

  /**
   * The parts of the chosen candidate, ending with `stream-end` or `error`; stops early when the client
   * goes away, and ends with an error part when the generation outlives its maximum duration.
   */
  async *parts(signal: AbortSignal): AsyncGenerator<StreamPart> {
    const reader = this.reader;
    if (!reader) return;
    const remainingMs = Math.max(0, this.options.maximumDurationMs - (performance.now() - this.startedAtMonotonic));
    const deadline = AbortSignal.timeout(Math.ceil(remainingMs));
    const stop = AbortSignal.any([signal, deadline]);
    const pending = [...this.buffered];
    this.buffered = [];
    for (;;) {
      const next = pending.shift() ?? (await nextOrAbort(reader, stop));
      if (next === aborted && signal.aborted) {
        reader.close();
        this.cancel();
        return;
      }
      const part: StreamPart =
        next === aborted
          ? this.timedOut(reader)
          : next.type === "error"
            ? { ...next, beforeFirstToken: false }
            : next;
      this.accumulator.add(part);
      if (part.type === "error") this.failure = part.error;
      yield part;
      if (part.type === "stream-end" || part.type === "error") return;
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
    if (this.accumulator.usage) return { usage: this.accumulator.usage, estimated: false };
    if (!this.accumulator.producedOutput && (this.cancelled || this.failure)) return { usage: noUsage, estimated: false };
    const outputBound = this.candidate ? this.outputBound(this.candidate) : 0;
    return { usage: estimateUsage(this.promptBytes, this.accumulator.outputBytes(), outputBound), estimated: true };
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

  private timedOut(reader: PartReader): StreamPart {
    reader.close();
    this.publishCancel();
    const seconds = Math.round(this.options.maximumDurationMs / 1000);
    return {
      type: "error",
      seq: -1,
      error: gatewayError(gatewayErrorCodes.upstreamTimeout, 504, `The generation ran longer than the ${seconds} s limit and was stopped.`, { retryable: false }),
      beforeFirstToken: false,
    };
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

/** The next part, unless the signal fires first; parts already received win over an abort. */
function nextOrAbort(reader: PartReader, signal: AbortSignal): Promise<StreamPart | typeof aborted> {
  const queued = reader.takeQueued();
  if (queued) return Promise.resolve(queued);
  if (signal.aborted) return Promise.resolve(aborted);
  return new Promise((resolve) => {
    const onAbort = () => resolve(aborted);
    signal.addEventListener("abort", onAbort, { once: true });
    void reader.next().then((part) => {
      signal.removeEventListener("abort", onAbort);
      resolve(part);
    });
  });
}
