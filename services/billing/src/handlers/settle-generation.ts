import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamManager } from "@nats-io/jetstream";
import { generationCompletedSchema, type GenerationCompleted, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable } from "@switchboard/db";
import { consumeFactBatches, type FactConsumer } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { settleGenerations, settleOutcomes } from "../repositories/settle-generations.js";

export interface SettlementDependencies {
  database: DatabaseExecutor;
  logger: Logger;
}

/**
 * Settles a batch of generation-completed facts in one transaction. Resolves only after it committed, so
 * the consumer acknowledges the facts only then; a redelivery is harmless (settlement is idempotent by
 * generation id).
 */
export async function settleGenerationBatch(dependencies: SettlementDependencies, facts: readonly GenerationCompleted[]): Promise<void> {
  const results = await settleGenerations(dependencies.database, facts);
  for (const [index, result] of results.entries()) {
    const context = { generation_id: result.generationId, cost_micros: result.costMicros, outcome: result.outcome };
    switch (result.outcome) {
      case settleOutcomes.settled:
      case settleOutcomes.voided:
        dependencies.logger.debug(context, "generation settled");
        break;
      case settleOutcomes.alreadyResolved:
        dependencies.logger.info(context, "generation already settled, fact ignored");
        break;
      case settleOutcomes.chargedAfterExpiry:
        dependencies.logger.warn({ ...context, charged: result.charged }, "fact arrived after its reservation expired; charged now");
        break;
      case settleOutcomes.chargedWithoutReservation:
        dependencies.logger.warn({ ...context, charged: result.charged }, "fact has no reservation; charged without one");
        break;
      case settleOutcomes.unknownAccount:
        dependencies.logger.error({ ...context, account_id: facts[index]?.accountId }, "fact names no known account and has no reservation; nothing charged");
        break;
    }
  }
}

/** The durable billing consumer of generation-completed facts. The facts stream must exist. */
export function startSettlementConsumer(
  connection: NatsConnection,
  options: SettlementDependencies & { manager: JetStreamManager; subjects: Subjects },
): Promise<FactConsumer> {
  return consumeFactBatches(connection, {
    manager: options.manager,
    stream: options.subjects.factsStream,
    durableName: options.subjects.billingConsumer,
    filterSubject: options.subjects.generationCompleted,
    schema: generationCompletedSchema,
    logger: options.logger,
    handleBatch: (facts) => settleGenerationBatch(options, facts),
    handleOne: (fact) => settleGenerationBatch(options, [fact]),
    isOutage: isDatabaseUnavailable,
  });
}
