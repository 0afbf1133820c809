import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectorUsageReportSchema, type ConnectorUsageReport, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable } from "@switchboard/db";
import { consumeFactBatches, type DeadLetterCounter, type FactConsumer } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import type { DatabaseExecutor } from "../repositories/generations.js";
import { storeLoggingUsageReports } from "../repositories/logging-usage-reports.js";

/**
 * The durable metadata-logging consumer of the connector's usage reports (issue 10): stores each one,
 * acknowledged after the commit, for `startUsageReportRecorder`. A report that fails its schema goes to
 * the dead-letter stream. The facts stream must exist.
 */
export function startUsageReportConsumer(
  connection: NatsConnection,
  options: { database: DatabaseExecutor; logger: Logger; manager: JetStreamManager; subjects: Subjects; deadLetters: DeadLetterCounter },
): Promise<FactConsumer> {
  const store = async (reports: readonly ConnectorUsageReport[]) => {
    await storeLoggingUsageReports(options.database, reports);
  };
  return consumeFactBatches(connection, {
    manager: options.manager,
    stream: options.subjects.factsStream,
    durableName: options.subjects.loggingUsageReportConsumer,
    filterSubject: options.subjects.connectorUsageReported,
    schema: connectorUsageReportSchema,
    logger: options.logger,
    handleBatch: store,
    handleOne: (report) => store([report]),
    isOutage: isDatabaseUnavailable,
    deadLetters: { subject: options.subjects.deadLetters(options.subjects.loggingUsageReportConsumer), counter: options.deadLetters },
  });
}
