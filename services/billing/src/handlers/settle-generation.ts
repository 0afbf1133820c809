import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamManager } from "@nats-io/jetstream";
import { generationCompletedSchema, type GenerationCompleted, type Subjects } from "@switchboard/contracts";
import { consumeFacts, type FactConsumer } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { settle, settleOutcomes } from "../repositories/reservations.js";

export interface SettlementDependencies {
  database: DatabaseExecutor;
  logger: Logger;
}

/**
 * Settles one generation-completed fact. Resolves only after the settlement committed, so the consumer
 * acknowledges the fact only then; a redelivery is harmless (settle is idempotent by generation id).
 */
export async function settleGeneration(dependencies: SettlementDependencies, fact: GenerationCompleted): Promise<void> {
  const result = await settle(dependencies.database, fact);
  const context = { generation_id: fact.generationId, cost_micros: result.costMicros, outcome: result.outcome };
  switch (result.outcome) {
    case settleOutcomes.settled:
    case settleOutcomes.voided:
      dependencies.logger.debug(context, "generation settled");
      return;
    case settleOutcomes.alreadyResolved:
      dependencies.logger.info(context, "generation already settled, fact ignored");
      return;
    case settleOutcomes.chargedAfterExpiry:
      dependencies.logger.warn({ ...context, charged: result.charged }, "fact arrived after its reservation expired; charged now");
      return;
    case settleOutcomes.chargedWithoutReservation:
      dependencies.logger.warn({ ...context, charged: result.charged }, "fact has no reservation; charged without one");
      return;
    case settleOutcomes.unknownAccount:
      dependencies.logger.error({ ...context, account_id: fact.accountId }, "fact names no known account and has no reservation; nothing charged");
      return;
  }
}

/** The durable billing consumer of generation-completed facts. The facts stream must exist. */
export function startSettlementConsumer(
  connection: NatsConnection,
  options: SettlementDependencies & { manager: JetStreamManager; subjects: Subjects },
): Promise<FactConsumer> {
  return consumeFacts(connection, {
    manager: options.manager,
    stream: options.subjects.factsStream,
    durableName: options.subjects.billingConsumer,
    filterSubject: options.subjects.generationCompleted,
    schema: generationCompletedSchema,
    logger: options.logger,
    handler: (fact) => settleGeneration(options, fact),
  });
}
