import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { SpanKind, type Context } from "@opentelemetry/api";
import { markSpanFailed, messagingOperationTypes } from "@switchboard/telemetry";
import type { Logger } from "pino";
import { startMessagingSpan } from "./messaging-span.js";
import { injectSpanTraceContext } from "./trace-context-headers.js";

export interface FactPublisherOptions {
  /** How long to keep retrying one fact before giving up (the generation is then only logged). */
  giveUpAfterMs?: number;
  logger: Logger;
}

/**
 * Publishes facts to JetStream with `msgID` for server-side de-duplication, retrying with backoff until
 * the server acknowledges. `pending()` lets shutdown wait for facts still in flight. Each fact is a
 * PRODUCER span (until acknowledged) whose context travels in the message's headers, so the consumers
 * that process it (billing, metadata-logging) continue the request's trace.
 */
export class FactPublisher {
  private readonly client: JetStreamClient;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly giveUpAfterMs: number;
  private readonly logger: Logger;

  constructor(connection: NatsConnection, options: FactPublisherOptions) {
    this.client = jetstream(connection, { timeout: 5_000 });
    this.giveUpAfterMs = options.giveUpAfterMs ?? 10 * 60 * 1000;
    this.logger = options.logger;
  }

  /**
   * Starts publishing and returns at once; the returned promise settles when the server acknowledged.
   * `parent` is the span the fact belongs to (the active context by default).
   */
  publish(subject: string, payload: unknown, messageId: string, parent?: Context): Promise<void> {
    const span = startMessagingSpan({ kind: SpanKind.PRODUCER, operationType: messagingOperationTypes.send, operationName: "publish", subject, ...(parent ? { parent } : {}) });
    // Also for a span sampled out (valid, not recording): its consumers must continue the same decision
    // rather than start traces of their own. With tracing off nothing is written.
    const headers = injectSpanTraceContext(undefined, span);
    const publishing = this.publishUntilAcknowledged(subject, JSON.stringify(payload), messageId, headers);
    if (span.isRecording()) {
      void publishing.then(
        () => span.end(),
        () => {
          markSpanFailed(span, "not_acknowledged");
          span.end();
        },
      );
    }
    this.inFlight.add(publishing);
    void publishing.finally(() => this.inFlight.delete(publishing));
    return publishing;
  }

  /** Resolves once every fact published so far has been acknowledged or abandoned. */
  async pending(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async publishUntilAcknowledged(subject: string, data: string, messageId: string, headers: MsgHdrs | undefined): Promise<void> {
    const startedAt = Date.now();
    let delayMs = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.publish(subject, data, headers ? { msgID: messageId, headers } : { msgID: messageId });
        return;
      } catch (error) {
        if (Date.now() - startedAt > this.giveUpAfterMs) {
          this.logger.error({ err: error, messageId, subject, attempt }, "gave up publishing fact");
          throw error;
        }
        this.logger.warn({ err: error, messageId, subject, attempt }, "fact publish failed, retrying");
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, 5_000);
      }
    }
  }
}
