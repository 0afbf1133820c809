import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { generationCompletedSchema, type GenerationCompleted, type Subjects } from "@switchboard/contracts";
import { consumeFacts, type FactConsumer } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import { findUnrecordableField, insertGeneration, type DatabaseExecutor } from "../repositories/generations.js";

export interface RecordGenerationDependencies {
  database: DatabaseExecutor;
  logger: Logger;
}

/** Records one fact; resolves after the commit so the consumer acknowledges only then. */
export async function recordGeneration(dependencies: RecordGenerationDependencies, fact: GenerationCompleted): Promise<void> {
  const problem = findUnrecordableField(fact);
  if (problem) {
    dependencies.logger.error({ generation_id: fact.generationId, problem }, "generation fact cannot be recorded, dropping it");
    return;
  }
  const inserted = await insertGeneration(dependencies.database, fact);
  if (!inserted) dependencies.logger.debug({ generation_id: fact.generationId }, "generation already recorded");
}

/** The durable metadata-logging consumer of generation-completed facts. The facts stream must exist. */
export function startGenerationRecorder(
  connection: NatsConnection,
  options: RecordGenerationDependencies & { manager: JetStreamManager; subjects: Subjects },
): Promise<FactConsumer> {
  return consumeFacts(connection, {
    manager: options.manager,
    stream: options.subjects.factsStream,
    durableName: options.subjects.loggingConsumer,
    filterSubject: options.subjects.generationCompleted,
    schema: generationCompletedSchema,
    logger: options.logger,
    handler: (fact) => recordGeneration(options, fact),
  });
}
