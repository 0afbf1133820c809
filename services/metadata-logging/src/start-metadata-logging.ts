import type { NatsConnection } from "@nats-io/transport-node";
import { serviceNames, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable, type Database } from "@switchboard/db";
import { ensureFactsStream, serveEndpoints } from "@switchboard/messaging";
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
}

export const metadataLoggingServiceVersion = "0.1.0";

/** Records one metadata row per generation-completed fact and answers get-generation requests. */
export async function startMetadataLogging(options: StartMetadataLoggingOptions): Promise<MetadataLoggingService> {
  const { connection, database, subjects, logger } = options;
  const manager = await ensureFactsStream(connection, subjects);
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
    recorder = await startGenerationRecorder(connection, { manager, subjects, database, logger });
  } catch (error) {
    await service.stop();
    throw error;
  }
  return {
    async stop() {
      await service.stop();
      await recorder.stop();
    },
  };
}
