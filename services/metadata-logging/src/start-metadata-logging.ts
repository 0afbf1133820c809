import type { NatsConnection } from "@nats-io/transport-node";
import { serviceNames, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable, type Database } from "@switchboard/db";
import { DeadLetterCounter, ensureDeadLetterStream, ensureFactsStream, serveEndpoints } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import type { Kysely } from "kysely";
import { getGenerationEndpoint } from "./handlers/get-generation.js";
import { startGenerationRecorder } from "./handlers/record-generation.js";
import { startUsageReportConsumer } from "./handlers/record-usage-reports.js";
import { startUsageReportRecorder } from "./usage-report-recorder.js";

export interface StartMetadataLoggingOptions {
  connection: NatsConnection;
  database: Kysely<Database>;
  subjects: Subjects;
  logger: Logger;
  /**
   * How long a connector usage report waits for ingress's completion fact before the generation is
   * recorded from it (default 30 s, issue 10); fractions of a second are allowed (tests).
   */
  usageReportGraceSeconds?: number;
}

/** A running metadata-logging service. */
export interface MetadataLoggingService {
  /** Stops answering requests, then stops the consumer after the batch of facts in hand. */
  stop(): Promise<void>;
  /** Facts the recorder moved to the dead-letter stream since start: for the metrics endpoint (issue 12). */
  deadLetters: DeadLetterCounter;
}

export const metadataLoggingServiceVersion = "0.1.0";

/** Records one metadata row per generation-completed fact and answers get-generation requests. */
export async function startMetadataLogging(options: StartMetadataLoggingOptions): Promise<MetadataLoggingService> {
  const { connection, database, subjects, logger } = options;
  const manager = await ensureFactsStream(connection, subjects);
  await ensureDeadLetterStream(connection, subjects);
  const deadLetters = new DeadLetterCounter([subjects.loggingConsumer, subjects.loggingUsageReportConsumer]);
  const service = await serveEndpoints(connection, {
    name: serviceNames.logging,
    version: metadataLoggingServiceVersion,
    description: "Generation metadata records (no prompt or completion text)",
    queue: subjects.queueGroup(serviceNames.logging),
    logger,
    dependency: { name: "database", isUnavailable: isDatabaseUnavailable },
    endpoints: [getGenerationEndpoint({ database, subjects })],
  });
  let recorder;
  let reportConsumer;
  try {
    recorder = await startGenerationRecorder(connection, { manager, subjects, database, logger, deadLetters });
    reportConsumer = await startUsageReportConsumer(connection, { manager, subjects, database, logger, deadLetters });
  } catch (error) {
    await service.stop();
    await recorder?.stop();
    throw error;
  }
  const graceMs = (options.usageReportGraceSeconds ?? 30) * 1000;
  const reportRecorder = startUsageReportRecorder({ database, graceMs, intervalMs: Math.min(5_000, Math.max(100, graceMs / 4)), logger });
  return {
    deadLetters,
    async stop() {
      await service.stop();
      await reportRecorder.stop();
      await recorder.stop();
      await reportConsumer.stop();
    },
  };
}
