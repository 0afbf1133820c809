import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { createInbox } from "@nats-io/transport-node";
import { gatewayError, gatewayErrorCodes, streamPartSchema, type StreamPart } from "@switchboard/contracts";

/** Parts held for a consumer that has not taken them yet (a slow client) before the attempt is stopped. */
const maximumQueuedParts = 50_000;

/**
 * Reads one connector attempt's stream parts from a private inbox, in order. A gap in sequence numbers,
 * a malformed part or silence longer than `idleTimeoutMs` becomes an `error` part, so a lost message
 * never turns into a silently truncated answer and a dead connector never hangs the client.
 */
export class PartReader {
  readonly inbox: string;
  private readonly subscription: Subscription;
  private readonly queue: StreamPart[] = [];
  private waiter: ((part: StreamPart) => void) | undefined;
  private expectedSeq = 0;
  private finished = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(connection: NatsConnection, private readonly idleTimeoutMs: number) {
    this.inbox = createInbox();
    this.subscription = connection.subscribe(this.inbox, {
      callback: (error, message) => {
        if (error) return this.push(this.failure("The connection to the connector failed mid-generation."));
        let part: StreamPart;
        try {
          part = streamPartSchema.parse(message.json());
        } catch {
          return this.push(this.failure("The connector sent a malformed stream part."));
        }
        if (part.seq !== this.expectedSeq) return this.push(this.failure("Stream parts were lost between connector and ingress."));
        this.expectedSeq++;
        // A heartbeat only proves the connector is alive while the model is silent.
        if (part.type === "heartbeat") return this.armIdleTimer();
        this.push(part);
      },
    });
    this.armIdleTimer();
  }

  /** The next part; after a terminal part (`stream-end` or `error`) nothing more is read. */
  next(): Promise<StreamPart> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** A part that already arrived, if any: lets a caller finish what is in hand before honouring an abort. */
  takeQueued(): StreamPart | undefined {
    return this.queue.shift();
  }

  close(): void {
    this.finished = true;
    clearTimeout(this.idleTimer);
    this.subscription.unsubscribe();
  }

  private push(part: StreamPart): void {
    if (this.finished) return;
    if (this.queue.length >= maximumQueuedParts && part.type !== "error") {
      // The client reads far slower than the provider writes; holding more would only grow memory.
      part = this.failure("The client read the stream too slowly; the generation was stopped.");
    }
    if (part.type === "stream-end" || part.type === "error") this.close();
    else this.armIdleTimer();
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(part);
    } else {
      this.queue.push(part);
    }
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () => this.push(this.failure(`The provider connector went silent for ${Math.round(this.idleTimeoutMs / 1000)} s.`, gatewayErrorCodes.upstreamTimeout)),
      this.idleTimeoutMs,
    );
    this.idleTimer.unref();
  }

  private failure(message: string, code: typeof gatewayErrorCodes.upstreamError | typeof gatewayErrorCodes.upstreamTimeout = gatewayErrorCodes.upstreamError): StreamPart {
    // beforeFirstToken is corrected by the caller, which knows whether output was already seen.
    return { type: "error", seq: -1, error: gatewayError(code, 502, message, { retryable: true }), beforeFirstToken: this.expectedSeq <= 1 };
  }
}
