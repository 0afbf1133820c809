import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { toHeaderValue } from "../header-value.js";
import { deadLetterHeaders } from "./dead-letter-headers.js";
import type { DeadLetterReason } from "./dead-letter-reasons.js";

/** Longest detail kept on a dead letter: a few validation issues. */
const maximumDetailLength = 1_024;

export interface DeadLetterCopy {
  /** The consumer's dead-letter subject (`Subjects.deadLetters(consumer)`). */
  subject: string;
  consumer: string;
  reason: DeadLetterReason;
  /** What failed, without values from the fact. */
  detail: string;
}

/**
 * Copies a fact, bytes unchanged, to the dead-letter stream and resolves once the stream has stored it;
 * only then may the caller terminate the original. The message id names the original (stream, sequence,
 * consumer), so a copy repeated after a lost acknowledgement is dropped by the duplicate window.
 */
export async function publishDeadLetter(client: JetStreamClient, message: JsMsg, copy: DeadLetterCopy): Promise<void> {
  const header = headers();
  header.set(deadLetterHeaders.originalSubject, message.subject);
  header.set(deadLetterHeaders.originalStream, message.info.stream);
  header.set(deadLetterHeaders.originalSequence, String(message.seq));
  header.set(deadLetterHeaders.consumer, copy.consumer);
  header.set(deadLetterHeaders.deliveries, String(message.info.deliveryCount));
  header.set(deadLetterHeaders.reason, copy.reason);
  header.set(deadLetterHeaders.detail, toHeaderValue(copy.detail, maximumDetailLength));
  await client.publish(copy.subject, message.data, { msgID: `${message.info.stream}:${message.seq}:${copy.consumer}`, headers: header });
}
