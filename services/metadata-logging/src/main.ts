import { ConfigError, loadConfig } from "@switchboard/config";
import { createSubjects } from "@switchboard/contracts";
import { createDatabase } from "@switchboard/db";
import { connectNats } from "@switchboard/messaging";
import { createLogger } from "@switchboard/telemetry";
import { metadataLoggingConfigSchema, type MetadataLoggingConfig } from "./config.js";
import { startMetadataLogging } from "./start-metadata-logging.js";

let config: Readonly<MetadataLoggingConfig>;
try {
  config = loadConfig(metadataLoggingConfigSchema, process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger("metadata-logging", config.LOG_LEVEL);
const subjects = createSubjects(config.SWITCHBOARD_NATS_NAMESPACE);
const connection = await connectNats({ servers: config.NATS_URL, name: "metadata-logging", logger });
const database = createDatabase({ connectionString: config.DATABASE_URL, applicationName: "switchboard-metadata-logging" });
const metadataLogging = await startMetadataLogging({ connection, database, subjects, logger });
logger.info({ namespace: subjects.namespace }, "metadata-logging started");

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "metadata-logging stopping");
  try {
    await metadataLogging.stop();
    await connection.drain();
    await database.destroy();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, "metadata-logging did not stop cleanly");
    process.exit(1);
  }
}
process.once("SIGTERM", (signal) => void shutdown(signal));
process.once("SIGINT", (signal) => void shutdown(signal));
