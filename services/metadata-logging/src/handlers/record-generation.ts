import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { generationCompletedSchema, type GenerationCompleted, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable } from "@switchboard/db";
import { consumeFactBatches, type DeadLetterCounter, type FactConsumer, type FactSpanRunner } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import { findUnrecordableField, insertGenerations, type DatabaseExecutor } from "../repositories/generations.js";

export interface RecordGenerationDependencies {
  database: DatabaseExecutor;
  logger: Logger;
}

/**
 * Records a batch of facts in one statement; resolves after the commit so the consumer acknowledges only
 * then. The consumer dead-letters a fact whose columns cannot hold it before it gets here; one that still
 * does (a direct call) is left out with an error log instead of failing the whole batch.
 */
export async function recordGenerations(
  dependencies: RecordGenerationDependencies,
  facts: readonly GenerationCompleted[],
  inSpanOf: FactSpanRunner<GenerationCompleted> = (_fact, work) => work(),
): Promise<void> {
  const recordable: GenerationCompleted[] = [];
  for (const fact of facts) {
    const problem = findUnrecordableField(fact);
    if (problem) {
      inSpanOf(fact, () => dependencies.logger.error({ generation_id: fact.generationId, problem }, "generation fact cannot be recorded, dropping it"));
      continue;
    }
    recordable.push(fact);
  }
  const inserted = await insertGenerations(dependencies.database, recordable);
  if (inserted < recordable.length) dependencies.logger.debug({ facts: recordable.length, inserted }, "some generations were already recorded");
}

/** The durable metadata-logging consumer of generation-completed facts. The facts stream must exist. */
export function startGenerationRecorder(
  connection: NatsConnection,
  options: RecordGenerationDependencies & { manager: JetStreamManager; subjects: Subjects; deadLetters: DeadLetterCounter },
): Promise<FactConsumer> {
  return consumeFactBatches(connection, {
    manager: options.manager,
    stream: options.subjects.factsStream,
    durableName: options.subjects.loggingConsumer,
    filterSubject: options.subjects.generationCompleted,
    schema: generationCompletedSchema,
    logger: options.logger,
    handleBatch: (facts, inSpanOf) => recordGenerations(options, facts, inSpanOf),
    handleOne: (fact) => recordGenerations(options, [fact]),
    isOutage: isDatabaseUnavailable,
    // A fact whose columns cannot hold it is kept, not dropped: copied to the dead-letter stream (issue 10).
    findUnprocessable: findUnrecordableField,
    deadLetters: { subject: options.subjects.deadLetters(options.subjects.loggingConsumer), counter: options.deadLetters },
  });
}
