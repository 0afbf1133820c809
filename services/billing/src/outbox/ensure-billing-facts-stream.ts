import { jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";
import { addOrUpdateStream } from "@switchboard/messaging";

/** How long billing's facts are kept for consumers that were away. */
const billingFactsMaxAgeMs = 7 * 24 * 3600 * 1000;

/**
 * Creates the stream of the facts billing publishes through its outbox, or brings it to our configuration.
 * On disk; the duplicate window drops a fact the relay published again after a crash before marking it.
 */
export async function ensureBillingFactsStream(connection: NatsConnection, subjects: Subjects): Promise<void> {
  const manager = await jetstreamManager(connection);
  await addOrUpdateStream(manager, {
    name: subjects.billingFactsStream,
    // Key changes too: ingress hears them on core NATS, and the relay needs the stream's acknowledgement.
    subjects: [subjects.billingSettled, subjects.keyChanged],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(billingFactsMaxAgeMs),
    duplicate_window: nanos(2 * 60 * 1000),
  });
}
