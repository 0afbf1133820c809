import type { NatsConnection } from "@nats-io/transport-node";
import { keyChangedSchema, type KeyChanged, type Subjects } from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import type { KeyChangePublisher } from "./key-change-publisher.js";

/**
 * The billing service's publisher: a core NATS publish on the service's own connection. It needs no
 * flush: the announcement leaves before the reply to whoever asked for the change, on the same
 * connection, and while NATS is down the client buffers it until the reconnect.
 */
export function natsKeyChangePublisher(dependencies: { connection: NatsConnection; subjects: Subjects; logger: Logger }): KeyChangePublisher {
  const { connection, subjects, logger } = dependencies;
  return {
    async publish(change: KeyChanged) {
      try {
        connection.publish(subjects.keyChanged, JSON.stringify(keyChangedSchema.parse(change)));
      } catch (error) {
        logger.error(
          { err: error, keyHash: change.keyHash, change: change.change },
          "could not announce a key change: running ingresses keep the old key data until KEY_CACHE_TTL_MS ends or they restart",
        );
      }
    },
  };
}
