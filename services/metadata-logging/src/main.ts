import { ConfigError, loadConfig } from "@switchboard/config";
import { createSubjects } from "@switchboard/contracts";
import { checkDatabase, createDatabase } from "@switchboard/db";
import { busIdentities, connectNats, exitOnStartupFailure, natsConnectionSettings, startServiceOperations } from "@switchboard/messaging";
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
const connection = await connectNats({ ...natsConnectionSettings(config, busIdentities.metadataLogging), name: "metadata-logging", logger }).catch(exitOnStartupFailure("metadata-logging"));
const database = createDatabase({ connectionString: config.DATABASE_URL, applicationName: "switchboard-metadata-logging" });
const metadataLogging = await startMetadataLogging({ connection, database, subjects, logger, usageReportGraceSeconds: config.USAGE_REPORT_GRACE_SECONDS });
const operations = await startServiceOperations({
  service: "metadata-logging",
  logger,
  connection,
  settings: config,
  readinessChecks: { database: () => checkDatabase(database) },
  stop: () => metadataLogging.stop(),
  close: () => database.destroy(),
}).catch(exitOnStartupFailure("metadata-logging"));
logger.info({ namespace: subjects.namespace, operationsPort: operations?.port ?? null }, "metadata-logging started");
