import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Subjects } from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import type { InFlightGenerations } from "./in-flight-generations.js";

export interface SubscribeToCancellationsDependencies {
  connection: NatsConnection;
  subjects: Subjects;
  inFlight: InFlightGenerations;
  logger: Logger;
}

/**
 * Listens for `connector.cancel.<generationId>` on every replica (no queue group): only the replica
 * running the generation knows it, and the others ignore the message. A callback subscription rather
 * than an iterator: an abort must not wait behind other work.
 */
export function subscribeToCancellations(dependencies: SubscribeToCancellationsDependencies): Subscription {
  const { logger, inFlight } = dependencies;
  return dependencies.connection.subscribe(dependencies.subjects.connectorCancelWildcard, {
    callback: (error, message) => {
      if (error) {
        logger.error({ err: error }, "cancel subscription failed");
        return;
      }
      // The wildcard matches exactly one token, the generation id.
      const generationId = message.subject.slice(message.subject.lastIndexOf(".") + 1);
      if (inFlight.cancel(generationId)) logger.info({ generation_id: generationId }, "generation cancelled");
    },
  });
}
