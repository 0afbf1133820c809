import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectorUsageReportSchema, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable } from "@switchboard/db";
import { consumeFactBatches, type DeadLetterCounter, type FactConsumer } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import { storeUsageReports } from "../repositories/connector-usage-reports.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";

/**
 * The durable billing consumer of the connector's usage reports (issue 10): stores each one, acknowledged
 * after the commit; the usage report settler charges from them once their grace period is over. A report
 * that fails its schema goes to the dead-letter stream like any fact. The facts stream must exist.
 */
export function startUsageReportConsumer(
  connection: NatsConnection,
  options: { database: DatabaseExecutor; logger: Logger; manager: JetStreamManager; subjects: Subjects; deadLetters: DeadLetterCounter },
): Promise<FactConsumer> {
  const store = async (reports: Parameters<typeof storeUsageReports>[1]) => {
    await storeUsageReports(options.database, reports);
  };
  return consumeFactBatches(connection, {
    manager: options.manager,
    stream: options.subjects.factsStream,
    durableName: options.subjects.billingUsageReportConsumer,
    filterSubject: options.subjects.connectorUsageReported,
    schema: connectorUsageReportSchema,
    logger: options.logger,
    handleBatch: store,
    handleOne: (report) => store([report]),
    isOutage: isDatabaseUnavailable,
    deadLetters: { subject: options.subjects.deadLetters(options.subjects.billingUsageReportConsumer), counter: options.deadLetters },
  });
}
