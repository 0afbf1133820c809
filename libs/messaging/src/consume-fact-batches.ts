import { AckPolicy, DeliverPolicy, jetstream, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { SpanKind, type Span } from "@opentelemetry/api";
import { isTracing, markSpanFailed, messagingMetrics, messagingOperationTypes, runInSpan } from "@switchboard/telemetry";
import type { Logger } from "pino";
import type { z } from "zod";
import type { DeadLetterCounter } from "./dead-letters/dead-letter-counter.js";
import { deadLetterReasons, type DeadLetterReason } from "./dead-letters/dead-letter-reasons.js";
import { describeSchemaIssues } from "./dead-letters/describe-schema-issues.js";
import { publishDeadLetter } from "./dead-letters/publish-dead-letter.js";
import { startMessagingSpan } from "./messaging-span.js";
import { extractTraceContext } from "./trace-context-headers.js";

export interface ConsumeFactBatchesOptions<Schema extends z.ZodType> {
  manager: JetStreamManager;
  stream: string;
  durableName: string;
  filterSubject: string;
  schema: Schema;
  /**
   * Handles a batch all or nothing and commits before resolving; its messages are acknowledged only
   * afterwards. Facts come in delivery order and may repeat (redeliveries), so it must be idempotent.
   * What it logs about one fact it logs through `inSpanOf(fact, …)`, so the line names that fact's trace.
   */
  handleBatch: (facts: Array<z.infer<Schema>>, inSpanOf: FactSpanRunner<z.infer<Schema>>) => Promise<void>;
  /**
   * Handles one fact on its own, with the same effect as a batch of one. Used when a batch fails for a
   * reason other than an outage, so one fact the database refuses cannot hold back the rest.
   */
  handleOne: (fact: z.infer<Schema>) => Promise<void>;
  /** True for a failure every fact would hit (the database is down): the batch is retried whole, later. */
  isOutage: (error: unknown) => boolean;
  /**
   * Where facts this consumer cannot process go (issue 10). The dead-letter stream must exist
   * (`ensureDeadLetterStream`); each fact is copied there, counted, and only then terminated.
   */
  deadLetters: {
    /** `Subjects.deadLetters(durableName)`. */
    subject: string;
    counter: DeadLetterCounter;
  };
  /**
   * Why this consumer can never process a fact that matches the schema (a column cannot hold it), or
   * null. Such a fact is dead-lettered at once, like one that fails the schema. Describe it without values.
   */
  findUnprocessable?: (fact: z.infer<Schema>) => string | null;
  /** Deliveries after which a fact whose processing keeps failing is dead-lettered (default 5); outages never count. */
  maxDeliveries?: number;
  logger: Logger;
  /** How long a delivered fact may stay unacknowledged before JetStream delivers it again (default `defaultFactAckWaitMs`). */
  ackWaitMs?: number;
  /** Most facts in one batch (default 200). */
  maxBatchSize?: number;
  /** Longest wait for more facts once a batch holds its first (default 5 ms). */
  maxBatchWaitMs?: number;
}

/**
 * Runs `work` in the processing span of `fact`, one of the facts of the batch being handled (the very
 * object handed over): its log lines then carry that fact's trace and span. Without tracing, or for a
 * batch of one (handled inside its fact's span already), it simply calls `work`.
 */
export type FactSpanRunner<Fact> = <Result>(fact: Fact, work: () => Result) => Result;

const runDirectly = <Result>(_fact: unknown, work: () => Result): Result => work();

/**
 * The consumers' default ack wait. It is also how long the facts a killed consumer had in hand (a batch
 * being written, and those pulled ahead) wait before they are delivered again, to its successor.
 */
export const defaultFactAckWaitMs = 30_000;

/** A running durable consumer; `stop()` ends it after the batch in hand. */
export interface FactConsumer {
  stop(): Promise<void>;
}

/**
 * Runs a durable pull consumer that hands facts over in batches: whatever has arrived, up to
 * `maxBatchSize`, waiting at most `maxBatchWaitMs` for more once the first is in hand, so a busy stream
 * costs one database transaction per few hundred facts and a quiet one adds only milliseconds.
 *
 * Per message: a fact that is not JSON, fails its schema or `findUnprocessable` would fail forever, so it
 * is copied to the dead-letter stream and terminated, and the rest of its batch goes on; every other
 * message is acknowledged only after its batch committed. A batch that fails on an outage is nak'ed whole
 * with a growing delay and redelivered; one that fails otherwise is handled again fact by fact, each
 * acknowledged or nak'ed on its own, and a fact that fails so on its `maxDeliveries`th delivery is
 * dead-lettered too. Nothing is dropped: when the dead-letter copy fails, the fact is nak'ed and comes
 * back. The loop survives NATS restarts and consumer errors by re-subscribing.
 *
 * Tracing: each message is processed in a CONSUMER span of its own whose parent is the trace context its
 * headers carry (the publisher's PRODUCER span), so a request's trace reaches settlement and its record
 * even though facts are handled in batches. The span lasts from the batch's start to the message's ack,
 * nak or dead-lettering; a batch of one runs inside its message's span.
 */
export async function consumeFactBatches<Schema extends z.ZodType>(
  connection: NatsConnection,
  options: ConsumeFactBatchesOptions<Schema>,
): Promise<FactConsumer> {
  const maxBatchSize = options.maxBatchSize ?? 200;
  const maxBatchWaitMs = options.maxBatchWaitMs ?? 5;
  const client = jetstream(connection, { timeout: 5_000 });
  // add() on an existing durable updates it on NATS 2.9 and is accepted when identical on later servers.
  await options.manager.consumers.add(options.stream, {
    durable_name: options.durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(options.ackWaitMs ?? defaultFactAckWaitMs),
    max_ack_pending: 1_000,
  });
  const consumer = await jetstream(connection).consumers.get(options.stream, options.durableName);
  // Its lag, asked of the server at each scrape (one small request every scrape interval, none per fact).
  const stopSampling = messagingMetrics().sampleConsumerPending(options.stream, options.durableName, async () => (await consumer.info()).num_pending);
  let stopped = false;
  let messages: ConsumerMessages | undefined;

  const loop = (async () => {
    while (!stopped) {
      try {
        // Pull twice a batch at a time, so the next batch is already arriving while one is written.
        messages = await consumer.consume({ max_messages: maxBatchSize * 2, expires: 5_000 });
        if (stopped) {
          // stop() ran while this subscription was being made: it ended the one before.
          messages.stop();
          break;
        }
        for await (const batch of inBatches(messages, maxBatchSize, maxBatchWaitMs)) {
          await handleBatch(batch, options, client);
          if (stopped) break;
        }
      } catch (error) {
        if (stopped) break;
        options.logger.warn({ err: error, consumer: options.durableName }, "consumer interrupted, resubscribing");
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      // stop(), not close(): close() resolves only once a reader takes the end from the iterator, and
      // the loop may have left it between two batches already; stop() ends a pull that is waiting.
      messages?.stop();
      await loop;
      stopSampling();
    },
  };
}

const batchWaitOver = Symbol("batch wait over");

/**
 * Groups a message stream into batches: the first message opens a batch, which closes when it is full
 * or `maxWaitMs` later. A `next()` still waiting when the time runs out is carried over to open the
 * following batch, so no message is skipped.
 */
async function* inBatches(messages: AsyncIterable<JsMsg>, maxSize: number, maxWaitMs: number): AsyncGenerator<JsMsg[]> {
  const iterator = messages[Symbol.asyncIterator]();
  let waiting: Promise<IteratorResult<JsMsg>> | undefined;
  try {
    for (;;) {
      const first = await (waiting ?? iterator.next());
      waiting = undefined;
      if (first.done) return;
      const batch = [first.value];
      let timer: NodeJS.Timeout | undefined;
      const waitOver = new Promise<typeof batchWaitOver>((resolve) => {
        timer = setTimeout(resolve, maxWaitMs, batchWaitOver);
      });
      try {
        while (batch.length < maxSize) {
          waiting = iterator.next();
          const next = await Promise.race([waiting, waitOver]);
          if (next === batchWaitOver) break;
          waiting = undefined;
          if (next.done) {
            yield batch;
            return;
          }
          batch.push(next.value);
        }
      } finally {
        clearTimeout(timer);
      }
      yield batch;
    }
  } finally {
    // A next() left waiting when the consumer stops ends with the subscription; it must not reject unheard.
    void waiting?.catch(() => undefined);
  }
}

/** The CONSUMER span of one message, child of the context its publisher put in its headers; headers are read only when tracing is on. */
function startProcessingSpan<Schema extends z.ZodType>(message: JsMsg, options: ConsumeFactBatchesOptions<Schema>): Span {
  return startMessagingSpan({
    kind: SpanKind.CONSUMER,
    operationType: messagingOperationTypes.process,
    operationName: "process",
    subject: message.subject,
    consumerGroup: options.durableName,
    ...(isTracing() ? { parent: extractTraceContext(message.headers) } : {}),
  });
}

/** Runs work in the span of the batch entry holding the fact; a fact not in the batch gets no span. */
function spanRunnerOf<Fact>(entries: ReadonlyArray<{ fact: Fact; span: Span }>): FactSpanRunner<Fact> {
  const spans = new Map(entries.map((entry) => [entry.fact, entry.span]));
  return (fact, work) => {
    const span = spans.get(fact);
    return span === undefined ? work() : runInSpan(span, work);
  };
}

async function handleBatch<Schema extends z.ZodType>(messages: JsMsg[], options: ConsumeFactBatchesOptions<Schema>, client: JetStreamClient): Promise<void> {
  const parsed: Array<{ message: JsMsg; fact: z.infer<Schema>; span: Span }> = [];
  for (const message of messages) {
    const span = startProcessingSpan(message, options);
    const fact = parseFact(message, options);
    if (fact.success) {
      parsed.push({ message, fact: fact.data, span });
      continue;
    }
    await deadLetter(message, fact.reason, fact.detail, options, client);
    markSpanFailed(span, "dead_lettered");
    span.end();
  }
  if (parsed.length === 0) return;
  try {
    const only = parsed.length === 1 ? parsed[0] : undefined;
    const facts = parsed.map((entry) => entry.fact);
    await (only ? runInSpan(only.span, () => options.handleBatch(facts, runDirectly)) : options.handleBatch(facts, isTracing() ? spanRunnerOf(parsed) : runDirectly));
    for (const entry of parsed) {
      entry.message.ack();
      entry.span.end();
    }
    return;
  } catch (error) {
    if (options.isOutage(error)) {
      options.logger.error({ err: error, facts: parsed.length, consumer: options.durableName }, "fact batch failed on an outage, will retry");
      for (const entry of parsed) {
        entry.message.nak(retryDelayMs(entry.message));
        markSpanFailed(entry.span, "outage");
        entry.span.end();
      }
      return;
    }
    options.logger.warn({ err: error, facts: parsed.length, consumer: options.durableName }, "fact batch failed, handling its facts one by one");
  }
  const maxDeliveries = options.maxDeliveries ?? 5;
  for (const { message, fact, span } of parsed) {
    try {
      await runInSpan(span, () => options.handleOne(fact));
      message.ack();
    } catch (error) {
      markSpanFailed(span, options.isOutage(error) ? "outage" : "failed");
      if (!options.isOutage(error) && message.info.deliveryCount >= maxDeliveries) {
        await deadLetter(message, deadLetterReasons.failedRepeatedly, describeFailure(error, message.info.deliveryCount), options, client);
        continue;
      }
      options.logger.error({ err: error, seq: message.seq, deliveries: message.info.deliveryCount }, "fact handling failed, will retry");
      message.nak(retryDelayMs(message));
    } finally {
      span.end();
    }
  }
}

type ParsedFact<Schema extends z.ZodType> = { success: true; data: z.infer<Schema> } | { success: false; reason: DeadLetterReason; detail: string };

/** Parses a message; one that is not a fact, or one this consumer can never process, is returned with the reason. */
function parseFact<Schema extends z.ZodType>(message: JsMsg, options: ConsumeFactBatchesOptions<Schema>): ParsedFact<Schema> {
  let payload: unknown;
  try {
    payload = message.json();
  } catch {
    return { success: false, reason: deadLetterReasons.notJson, detail: "the message is not JSON" };
  }
  const parsed = options.schema.safeParse(payload);
  if (!parsed.success) return { success: false, reason: deadLetterReasons.invalid, detail: describeSchemaIssues(parsed.error.issues) };
  const problem = options.findUnprocessable?.(parsed.data) ?? null;
  if (problem !== null) return { success: false, reason: deadLetterReasons.invalid, detail: problem };
  return { success: true, data: parsed.data };
}

/**
 * Copies a fact to the dead-letter stream, then terminates it, counts it and logs it at warn (never its
 * body). When the copy fails the fact is nak'ed instead, so it comes back and is copied then.
 */
async function deadLetter<Schema extends z.ZodType>(
  message: JsMsg,
  reason: DeadLetterReason,
  detail: string,
  options: ConsumeFactBatchesOptions<Schema>,
  client: JetStreamClient,
): Promise<void> {
  const context = { consumer: options.durableName, subject: message.subject, seq: message.seq, deliveries: message.info.deliveryCount, reason, detail };
  try {
    await publishDeadLetter(client, message, { subject: options.deadLetters.subject, consumer: options.durableName, reason, detail });
  } catch (error) {
    options.logger.error({ ...context, err: error }, "could not copy the fact to the dead-letter stream, it will come back");
    message.nak(retryDelayMs(message));
    return;
  }
  message.term();
  options.deadLetters.counter.increment(options.durableName, reason);
  options.logger.warn({ ...context, dead_lettered: options.deadLetters.counter.total(options.durableName) }, "fact moved to the dead-letter stream");
}

/**
 * What failed, without the error's message: a database error's message can quote a value from the fact
 * (`invalid input syntax for type uuid: "…"`). The log line of each failed delivery has the whole error.
 */
function describeFailure(error: unknown, deliveries: number): string {
  const name = error instanceof Error ? error.name : typeof error;
  const code = typeof error === "object" && error !== null && "code" in error && (typeof error.code === "string" || typeof error.code === "number") ? ` (code ${error.code})` : "";
  return `processing still failed on delivery ${deliveries}; last error ${name}${code}`;
}

/** A failed fact comes back after 1 s per delivery so far, at most 30 s. */
function retryDelayMs(message: JsMsg): number {
  return Math.min(1_000 * message.info.deliveryCount, 30_000);
}
