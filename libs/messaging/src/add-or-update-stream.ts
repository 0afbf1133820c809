import { JetStreamApiError, type JetStreamManager, type StreamConfig } from "@nats-io/jetstream";

/** The JetStream error code for "stream name already in use with a different configuration" (the client library names no constant for it). */
const streamConfigurationConflict = 10058;

/**
 * Creates a stream, or brings an existing one to this configuration. The NATS server may be shared with
 * other runs and replicas start concurrently, so "already exists" is never a failure.
 */
export async function addOrUpdateStream(manager: JetStreamManager, configuration: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await manager.streams.add(configuration);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === streamConfigurationConflict)) throw error;
    await manager.streams.update(configuration.name, configuration);
  }
}
