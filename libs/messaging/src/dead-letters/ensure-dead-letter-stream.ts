import { jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";
import { addOrUpdateStream } from "../add-or-update-stream.js";


/** How long a dead letter is kept: long enough for an operator to notice, list and replay it. */
const deadLetterMaxAgeMs = 90 * 24 * 3600 * 1000;

/**
 * Creates the dead-letter stream (issue 10), or brings an existing one to our configuration. Facts no
 * consumer could process are copied here and kept on disk, so none is ever dropped; the copy's message id
 * (stream, sequence, consumer) lets the duplicate window absorb a copy repeated after a lost acknowledgement.
 */
export async function ensureDeadLetterStream(connection: NatsConnection, subjects: Subjects): Promise<void> {
  const manager = await jetstreamManager(connection);
  const configuration = {
    name: subjects.deadLetterStream,
    subjects: [subjects.deadLettersWildcard],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(deadLetterMaxAgeMs),
    duplicate_window: nanos(2 * 60 * 1000),
  };
  await addOrUpdateStream(manager, configuration);
}
