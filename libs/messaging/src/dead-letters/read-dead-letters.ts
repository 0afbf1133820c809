import { JetStreamApiError, type JetStreamManager, type StoredMsg } from "@nats-io/jetstream";
import type { Subjects } from "@switchboard/contracts";
import { deadLetterHeaders } from "./dead-letter-headers.js";

/** The JetStream error code for "stream not found": nothing was ever dead-lettered in this namespace. */
const streamNotFound = 10059;

/** One dead letter as an operator sees it: where the fact came from and why; never the fact's body. */
export interface DeadLetter {
  /** Its sequence in the dead-letter stream. */
  sequence: number;
  consumer: string;
  reason: string;
  detail: string;
  /** How many times the consumer had received the fact when it gave up on it. */
  deliveries: number;
  dead_lettered_at: string;
  original_subject: string;
  original_stream: string;
  original_sequence: number;
}

/**
 * The newest dead letters of a namespace, newest first, at most `limit`: read one by one backwards from
 * the stream's last sequence (messages removed by age or by an operator are skipped).
 */
export async function readDeadLetters(manager: JetStreamManager, subjects: Pick<Subjects, "deadLetterStream">, limit: number): Promise<DeadLetter[]> {
  const state = await manager.streams.info(subjects.deadLetterStream).then(
    (info) => info.state,
    (error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === streamNotFound) return null;
      throw error;
    },
  );
  if (state === null) return [];
  const deadLetters: DeadLetter[] = [];
  for (let sequence = state.last_seq; sequence >= state.first_seq && sequence > 0 && deadLetters.length < limit; sequence--) {
    const message = await manager.streams.getMessage(subjects.deadLetterStream, { seq: sequence });
    if (message) deadLetters.push(toDeadLetter(message));
  }
  return deadLetters;
}

function toDeadLetter(message: StoredMsg): DeadLetter {
  const header = (name: string) => message.header.get(name);
  return {
    sequence: message.seq,
    consumer: header(deadLetterHeaders.consumer),
    reason: header(deadLetterHeaders.reason),
    detail: header(deadLetterHeaders.detail),
    deliveries: Number(header(deadLetterHeaders.deliveries)),
    dead_lettered_at: message.time.toISOString(),
    original_subject: header(deadLetterHeaders.originalSubject),
    original_stream: header(deadLetterHeaders.originalStream),
    original_sequence: Number(header(deadLetterHeaders.originalSequence)),
  };
}
