import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamManager } from "@nats-io/jetstream";
import { generationCompletedSchema, type GenerationCompleted, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable } from "@switchboard/db";
import { consumeFactBatches, type DeadLetterCounter, type FactConsumer, type FactSpanRunner } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import type { DatabaseExecutor } from "../repositories/database-executor.js";
import { settleGenerations, settleOutcomes, type SettleResult } from "../repositories/settle-generations.js";
import type { SettlementAnomalyCounter } from "../settlement-anomaly-counter.js";

export interface SettlementDependencies {
  database: DatabaseExecutor;
  logger: Logger;
  /** Counts each anomaly recorded (not its redeliveries). */
  anomalies: SettlementAnomalyCounter;
}

/**
 * Settles a batch of generation-completed facts in one transaction. Resolves only after it committed, so
 * the consumer acknowledges the facts only then; a redelivery is harmless (settlement is idempotent by
 * generation id).
 */
export async function settleGenerationBatch(
  dependencies: SettlementDependencies,
  facts: readonly GenerationCompleted[],
  inSpanOf: FactSpanRunner<GenerationCompleted> = (_fact, work) => work(),
): Promise<void> {
  // A fact of a generation already settled (by an earlier fact, or from a connector usage report) that
  // claims another cost comes back as the anomaly `conflicting-usage`, recorded in settlement_anomalies
  // only: the report's own row keeps its conflicting cost only when the report is the later claim.
  const results = await settleGenerations(dependencies.database, facts);
  // Each line about a fact is written in that fact's span, so it names the trace of its request.
  const factOf = new Map(facts.map((fact) => [fact.generationId, fact]));
  const reported = new Set<string>();
  for (const result of results) {
    // A fact repeated within the batch has one result per cost, repeated: report (and count) it once.
    const reportKey = `${result.costMicros}:${result.generationId}`;
    if (reported.has(reportKey)) continue;
    reported.add(reportKey);
    const fact = factOf.get(result.generationId);
    if (fact === undefined) reportSettlement(dependencies, result);
    else inSpanOf(fact, () => reportSettlement(dependencies, result));
  }
}

/** Logs (and counts) what settling one fact did. */
function reportSettlement(dependencies: SettlementDependencies, result: SettleResult): void {
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
    case settleOutcomes.anomaly: {
      const anomaly = result.anomaly;
      if (!anomaly) break;
      const anomalyContext = { generation_id: result.generationId, account_id: anomaly.accountId, reason: anomaly.reason, claimed_micros: result.costMicros };
      if (!anomaly.recorded) {
        dependencies.logger.info(anomalyContext, "settlement anomaly already recorded, fact ignored");
        break;
      }
      dependencies.anomalies.increment(anomaly.reason);
      dependencies.logger.warn(anomalyContext, "billing holds nothing for this fact; recorded as a settlement anomaly, nothing charged");
      break;
    }
  }
}

/** The durable billing consumer of generation-completed facts. The facts stream must exist. */
export function startSettlementConsumer(
  connection: NatsConnection,
  options: SettlementDependencies & { manager: JetStreamManager; subjects: Subjects; deadLetters: DeadLetterCounter },
): Promise<FactConsumer> {
  return consumeFactBatches(connection, {
    manager: options.manager,
    stream: options.subjects.factsStream,
    durableName: options.subjects.billingConsumer,
    filterSubject: options.subjects.generationCompleted,
    schema: generationCompletedSchema,
    logger: options.logger,
    handleBatch: (facts, inSpanOf) => settleGenerationBatch(options, facts, inSpanOf),
    handleOne: (fact) => settleGenerationBatch(options, [fact]),
    isOutage: isDatabaseUnavailable,
    // A fact billing cannot settle is kept, not dropped: copied to the dead-letter stream (issue 10).
    deadLetters: { subject: options.subjects.deadLetters(options.subjects.billingConsumer), counter: options.deadLetters },
  });
}
