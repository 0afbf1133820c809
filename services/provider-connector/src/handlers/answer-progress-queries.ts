import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { attemptProgressRequestSchema, type Subjects } from "@switchboard/contracts";
import type { Logger } from "@switchboard/telemetry";
import type { AttemptRegistry } from "./attempt-registry.js";

export interface AnswerProgressQueriesDependencies {
  connection: NatsConnection;
  subjects: Subjects;
  attempts: AttemptRegistry;
  logger: Logger;
}

/**
 * Answers "how far did the attempt with this inbox get?" on every replica (no queue group): only the
 * replica that ran it knows, the others stay silent. A callback subscription, like cancels: ingress waits
 * on the answer to end a generation whose parts an outage lost.
 */
export function answerProgressQueries(dependencies: AnswerProgressQueriesDependencies): Subscription {
  const { attempts, logger } = dependencies;
  return dependencies.connection.subscribe(dependencies.subjects.connectorAttemptProgress, {
    callback: (error, message) => {
      if (error) {
        logger.error({ err: error }, "progress subscription failed");
        return;
      }
      try {
        const parsed = attemptProgressRequestSchema.safeParse(message.json());
        if (!parsed.success) return;
        const progress = attempts.progress(parsed.data.replyTo);
        if (progress !== undefined) message.respond(JSON.stringify(progress));
      } catch (thrown) {
        // Not JSON, or the answer could not be sent: the asker times out and treats the parts as lost.
        logger.warn({ err: thrown }, "a progress query could not be answered");
      }
    },
  });
}
