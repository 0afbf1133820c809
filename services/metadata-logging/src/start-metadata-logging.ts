import type { NatsConnection } from "@nats-io/transport-node";
import { serviceNames, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable, type Database } from "@switchboard/db";
import { DeadLetterCounter, ensureDeadLetterStream, ensureFactsStream, serveEndpoints } from "@switchboard/messaging";
import type { Logger } from "@switchboard/telemetry";
import type { Kysely } from "kysely";
import { getGenerationEndpoint } from "./handlers/get-generation.js";
import { startGenerationRecorder } from "./handlers/record-generation.js";

export interface StartMetadataLoggingOptions {
  connection: NatsConnection;
  database: Kysely<Database>;
  subjects: Subjects;
  logger: Logger;
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
  const deadLetters = new DeadLetterCounter([subjects.loggingConsumer]);
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
  try {
    recorder = await startGenerationRecorder(connection, { manager, subjects, database, logger, deadLetters });
  } catch (error) {
    await service.stop();
    throw error;
  }
  return {
    deadLetters,
    async stop() {
      await service.stop();
      await recorder.stop();
    },
  };
}
