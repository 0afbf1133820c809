import { ConfigError, loadConfig } from "@switchboard/config";
import { createSubjects } from "@switchboard/contracts";
import { checkDatabase, createDatabase } from "@switchboard/db";
import { busIdentities, connectNats, exitOnStartupFailure, natsConnectionSettings, startServiceOperations } from "@switchboard/messaging";
import { createLogger } from "@switchboard/telemetry";
import { billingConfigSchema, type BillingConfig } from "./config.js";
import { startBilling } from "./start-billing.js";

let config: Readonly<BillingConfig>;
try {
  config = loadConfig(billingConfigSchema, process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger("billing", config.LOG_LEVEL);
const subjects = createSubjects(config.SWITCHBOARD_NATS_NAMESPACE);
const connection = await connectNats({ ...natsConnectionSettings(config, busIdentities.billing), name: "billing", logger }).catch(exitOnStartupFailure("billing"));
const database = createDatabase({ connectionString: config.DATABASE_URL, applicationName: "switchboard-billing" });
const billing = await startBilling({
  connection,
  database,
  subjects,
  logger,
  reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
  sweepIntervalSeconds: config.SWEEP_INTERVAL_SECONDS,
  leaseTtlSeconds: config.CREDIT_LEASE_TTL_SECONDS,
  usageReportGraceSeconds: config.USAGE_REPORT_GRACE_SECONDS,
});
const operations = await startServiceOperations({
  service: "billing",
  logger,
  connection,
  settings: config,
  readinessChecks: { database: () => checkDatabase(database) },
  stop: () => billing.stop(),
  close: () => database.destroy(),
}).catch(exitOnStartupFailure("billing"));
logger.info({ namespace: subjects.namespace, operationsPort: operations?.port ?? null }, "billing started");
