import { ConfigError, loadConfig } from "@switchboard/config";
import { createSubjects } from "@switchboard/contracts";
import { checkDatabase, createDatabase } from "@switchboard/db";
import { busIdentities, checkNats, connectNats, exitOnStartupFailure, natsConnectionSettings, shutDownOnSignals } from "@switchboard/messaging";
import { createLogger, startOperationsServer } from "@switchboard/telemetry";
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
const operations =
  config.OPERATIONS_PORT === undefined
    ? undefined
    : await startOperationsServer({
        port: config.OPERATIONS_PORT,
        host: config.OPERATIONS_HOST,
        readinessChecks: { nats: () => checkNats(connection), database: () => checkDatabase(database) },
      }).catch(exitOnStartupFailure("metadata-logging"));
logger.info({ namespace: subjects.namespace, operationsPort: operations?.port ?? null }, "metadata-logging started");

shutDownOnSignals({
  service: "metadata-logging",
  logger,
  connection,
  stop: () => metadataLogging.stop(),
  close: async () => {
    await operations?.close();
    await database.destroy();
  },
});
