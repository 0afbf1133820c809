import type { Msg } from "@nats-io/transport-node";
import { gatewayError, gatewayErrorCodes, streamPartsMessageSchema, type AttemptProgress, type GatewayError, type StreamPart } from "@switchboard/contracts";
import { readErrorReply } from "@switchboard/messaging";
import type { InboxRecipient, PartInbox } from "./part-inbox.js";

/** Parts held for a consumer that has not taken them yet (a slow client) before the attempt is stopped. */
const maximumQueuedParts = 50_000;

export interface PartReaderOptions {
  /** Longest silence (not even a heartbeat) before the attempt is given up. */
  idleTimeoutMs: number;
  /**
   * Longest wait for the connector's first part (its `stream-start`, which says it took the request): a
   * connector that died or hangs is given up after this rather than after `idleTimeoutMs`. Defaults to
   * `idleTimeoutMs`.
   */
  acceptTimeoutMs?: number;
  /** Asks the connector how far the attempt with this inbox got; null when no connector could tell. */
  probeProgress?: (inbox: string) => Promise<AttemptProgress | null>;
  /** Registers a listener for the NATS connection coming back (parts may have been lost meanwhile); returns its remover. */
  onReconnect?: (listener: () => void) => () => void;
}

/**
 * Reads one connector attempt's stream parts from its subject under the process's inbox, in order. The
 * generate message is sent with this subject as its reply subject, so what refuses it arrives here too:
 * NATS's "no responders" status (no connector is running) and a connector's error reply (a message it
 * would not take) become an `error` part, and so does no first part within `acceptTimeoutMs`. A gap in
 * sequence numbers, a malformed part or silence longer than `idleTimeoutMs` becomes an `error` part, so
 * a lost message never turns into a silently truncated answer and a dead connector never hangs the
 * client. An error part the reader raised itself has `seq` -1.
 *
 * When the NATS connection comes back after an outage, the reader asks the connector how far the attempt
 * got: parts published but never received were lost, and the attempt ends at once rather than at the idle
 * timeout. What the connector reports is kept in `connectorProgress`, so the output the provider produced
 * is charged even where the parts carrying it were lost.
 */
export class PartReader implements InboxRecipient {
  /** The subject the connector publishes this attempt's parts to. */
  readonly inbox: string;
  /** The connector's own count of what it published, once a loss was checked with it. */
  connectorProgress: AttemptProgress | null = null;
  private readonly queue: StreamPart[] = [];
  private waiter: ((part: StreamPart) => void) | undefined;
  private expectedSeq = 0;
  private accepted = false;
  private finished = false;
  private lost = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly removeReconnectListener: () => void;

  constructor(
    private readonly partInbox: PartInbox,
    private readonly options: PartReaderOptions,
  ) {
    this.inbox = partInbox.open(this);
    this.removeReconnectListener = options.onReconnect?.(() => void this.checkAfterReconnect()) ?? (() => undefined);
    this.armTimer(options.acceptTimeoutMs ?? options.idleTimeoutMs);
  }

  receive(message: Msg): void {
    if (this.lost || this.finished) return;
    if (!this.accepted) {
      // Only the answer to the generate message itself can be a status or an error reply.
      if (message.data.length === 0 && message.headers?.code === 503) return this.push(this.errorPart(connectorUnavailable("is not running")));
      const refusal = readErrorReply(message);
      if (refusal) return this.push(this.errorPart(refusal));
    }
    let parts: StreamPart[];
    try {
      // One part, or a whole (non-streamed) answer as an array of parts in one message.
      parts = streamPartsMessageSchema.parse(message.json());
    } catch {
      return this.push(this.failure("The connector sent a malformed stream part."));
    }
    this.accepted = true;
    for (const part of parts) {
      if (this.lost || this.finished) return;
      this.take(part);
    }
  }

  fail(): void {
    if (this.lost) return;
    this.push(this.failure("The connection to the connector failed mid-generation."));
  }

  private take(part: StreamPart): void {
    if (part.seq !== this.expectedSeq) return this.reportLoss();
    this.expectedSeq++;
    // A heartbeat only proves the connector is alive while the model is silent.
    if (part.type === "heartbeat") return this.armTimer(this.options.idleTimeoutMs);
    this.push(part);
  }

  /** The next part; after a terminal part (`stream-end` or `error`) nothing more is read. */
  next(): Promise<StreamPart> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /**
   * The next part, or null once `signal` has fired (or fires first). A part already in hand comes first,
   * and a part arriving after the abort stays queued for `takeQueued`, never taken by a stale wait.
   */
  nextBefore(signal: AbortSignal): Promise<StreamPart | null> {
    if (signal.aborted) return Promise.resolve(null);
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const waiter = (part: StreamPart) => {
        signal.removeEventListener("abort", onAbort);
        resolve(part);
      };
      const onAbort = () => {
        if (this.waiter === waiter) this.waiter = undefined;
        resolve(null);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiter = waiter;
    });
  }

  /** A part that already arrived, if any: lets a caller finish what is in hand before honouring an abort. */
  takeQueued(): StreamPart | undefined {
    return this.queue.shift();
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idleTimer);
    this.removeReconnectListener();
    this.partInbox.close(this.inbox);
  }

  /**
   * After an outage: the connector's answer comes on the same connection after every part it published
   * before answering, so a part numbered below its `nextSeq` that has not arrived by then never will.
   */
  private async checkAfterReconnect(): Promise<void> {
    if (this.finished || this.lost || !this.options.probeProgress) return;
    const progress = await this.options.probeProgress(this.inbox);
    if (this.finished || this.lost) return;
    if (progress !== null && progress.nextSeq <= this.expectedSeq) return;
    this.connectorProgress = progress;
    this.lost = true;
    this.push(this.lostPartsFailure());
  }

  /** A part was skipped: ask the connector what it produced (for the charge), then end the attempt. */
  private reportLoss(): void {
    this.lost = true;
    clearTimeout(this.idleTimer);
    if (!this.options.probeProgress) return this.push(this.lostPartsFailure());
    void this.options.probeProgress(this.inbox).then((progress) => {
      this.connectorProgress = progress;
      this.push(this.lostPartsFailure());
    });
  }

  private push(part: StreamPart): void {
    if (this.finished) return;
    if (this.queue.length >= maximumQueuedParts && part.type !== "error") {
      // The client reads far slower than the provider writes; holding more would only grow memory.
      part = this.failure("The client read the stream too slowly; the generation was stopped.");
    }
    if (part.type === "stream-end" || part.type === "error") this.close();
    else this.armTimer(this.options.idleTimeoutMs);
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(part);
    } else {
      this.queue.push(part);
    }
  }

  /** Gives the attempt up after `timeoutMs` without a message: before acceptance as unanswered, after it as silent. */
  private armTimer(timeoutMs: number): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.accepted) return this.push(this.errorPart(connectorUnavailable("did not answer in time")));
      this.push(this.failure(`The provider connector went silent for ${Math.round(timeoutMs / 1000)} s.`, gatewayErrorCodes.upstreamTimeout));
    }, timeoutMs);
    this.idleTimer.unref();
  }

  private lostPartsFailure(): StreamPart {
    return this.errorPart(
      gatewayError(
        gatewayErrorCodes.serviceUnavailable,
        503,
        "Part of the answer was lost between Switchboard's services (their message bus was interrupted). Retry the request.",
        { retryable: true },
      ),
    );
  }

  private failure(message: string, code: typeof gatewayErrorCodes.upstreamError | typeof gatewayErrorCodes.upstreamTimeout = gatewayErrorCodes.upstreamError): StreamPart {
    return this.errorPart(gatewayError(code, 502, message, { retryable: true }));
  }

  private errorPart(error: GatewayError): StreamPart {
    // beforeFirstToken is corrected by the caller, which knows whether output was already seen.
    return { type: "error", seq: -1, error, beforeFirstToken: this.expectedSeq <= 1 };
  }
}

/** What a request to a connector that never took it answers (the same words as any service request's 503). */
function connectorUnavailable(reason: "is not running" | "did not answer in time"): GatewayError {
  const advice = reason === "is not running" ? "Retry shortly; if it persists, check that the service is up." : "Retry shortly.";
  return gatewayError(gatewayErrorCodes.serviceUnavailable, 503, `The provider-connector service ${reason}. ${advice}`, { retryable: true });
}
