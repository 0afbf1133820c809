import { AckPolicy, DeliverPolicy, jetstream, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { z } from "zod";
import type { JetStreamManager } from "@nats-io/jetstream";

export interface ConsumeFactsOptions<Schema extends z.ZodType> {
  manager: JetStreamManager;
  stream: string;
  durableName: string;
  filterSubject: string;
  schema: Schema;
  /** Must commit before resolving; the message is acknowledged only afterwards. Must be idempotent. */
  handler: (fact: z.infer<Schema>) => Promise<void>;
  logger: Logger;
  ackWaitMs?: number;
}

/** A running durable consumer; `stop()` ends it after the message in hand. */
export interface FactConsumer {
  stop(): Promise<void>;
}

/**
 * Runs a durable pull consumer: parse, handle, then ack. A fact that fails to parse is terminated (it
 * would fail forever); a handler failure is nak'ed with a delay and redelivered. The loop survives NATS
 * restarts and consumer errors by re-subscribing.
 */
export async function consumeFacts<Schema extends z.ZodType>(
  connection: NatsConnection,
  options: ConsumeFactsOptions<Schema>,
): Promise<FactConsumer> {
  // add() on an existing durable updates it on NATS 2.9 and is accepted when identical on later servers.
  await options.manager.consumers.add(options.stream, {
    durable_name: options.durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: 1_000,
  });
  const consumer = await jetstream(connection).consumers.get(options.stream, options.durableName);
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  let inHand: Promise<void> = Promise.resolve();

  const loop = (async () => {
    while (!stopped) {
      try {
        messages = await consumer.consume({ max_messages: 100, expires: 5_000 });
        for await (const message of messages) {
          inHand = handleOne(message, options);
          await inHand;
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
      await inHand;
      await messages?.close();
      await loop;
    },
  };
}

async function handleOne<Schema extends z.ZodType>(message: JsMsg, options: ConsumeFactsOptions<Schema>): Promise<void> {
  let payload: unknown;
  try {
    payload = message.json();
  } catch {
    options.logger.error({ subject: message.subject, seq: message.seq }, "fact is not JSON, terminating it");
    message.term();
    return;
  }
  const parsed = options.schema.safeParse(payload);
  if (!parsed.success) {
    options.logger.error({ subject: message.subject, seq: message.seq, issues: parsed.error.issues }, "fact does not match its schema, terminating it");
    message.term();
    return;
  }
  try {
    await options.handler(parsed.data);
    message.ack();
  } catch (error) {
    options.logger.error({ err: error, seq: message.seq, deliveries: message.info.deliveryCount }, "fact handling failed, will retry");
    message.nak(Math.min(1_000 * message.info.deliveryCount, 30_000));
  }
}
