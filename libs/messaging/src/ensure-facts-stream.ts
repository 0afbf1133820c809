import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";
import { addOrUpdateStream } from "./add-or-update-stream.js";


/**
 * Creates the facts stream, or brings an existing one to our configuration. The NATS server may be
 * shared with other runs and replicas start concurrently, so "already exists" is never a failure.
 */
export async function ensureFactsStream(connection: NatsConnection, subjects: Subjects): Promise<JetStreamManager> {
  const manager = await jetstreamManager(connection);
  const configuration = {
    name: subjects.factsStream,
    subjects: [`${subjects.namespace}.facts.v1.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(7 * 24 * 3600 * 1000),
    // Publishers retry until acknowledged; the window turns those retries into duplicates the
    // server drops. Consumers are idempotent by generation id beyond it (PostgreSQL constraints).
    duplicate_window: nanos(2 * 60 * 1000),
  };
  await addOrUpdateStream(manager, configuration);
  return manager;
}
