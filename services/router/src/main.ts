import { createSubjects } from "@switchboard/contracts";
import { loadConfig } from "@switchboard/config";
import { checkDatabase, createDatabase } from "@switchboard/db";
import { busIdentities, connectNats, natsConnectionSettings, startServiceOperations } from "@switchboard/messaging";
import { createLogger } from "@switchboard/telemetry";
import { routerConfigSchema } from "./config.js";
import { defaultHealthPolicy } from "./health/endpoint-health-tracker.js";
import { startRouter } from "./start-router.js";

async function main(): Promise<void> {
  const config = loadConfig(routerConfigSchema, process.env);
  const logger = createLogger("router", config.LOG_LEVEL);
  const connection = await connectNats({ ...natsConnectionSettings(config, busIdentities.router), name: "switchboard-router", logger });
  const database = createDatabase({ connectionString: config.DATABASE_URL, applicationName: "switchboard-router", maxConnections: 2 });
  const router = await startRouter({
    connection,
    database,
    subjects: createSubjects(config.SWITCHBOARD_NATS_NAMESPACE),
    logger,
    catalogPath: config.SWITCHBOARD_CATALOG,
    environment: { ...process.env },
    healthPolicy: {
      ...defaultHealthPolicy,
      consecutiveFailuresToEject: config.ROUTER_FAILURES_TO_EJECT,
      firstEjection: config.ROUTER_FIRST_EJECTION_MS,
      maximumEjection: config.ROUTER_MAXIMUM_EJECTION_MS,
    },
    healthFiguresIntervalMs: config.ROUTER_HEALTH_FIGURES_MS,
    // `route` answers as ingress does: the default order is a weighted draw, not always the cheapest.
    random: Math.random,
  });
  const operations = await startServiceOperations({
    service: "router",
    logger,
    connection,
    settings: config,
    readinessChecks: { database: () => checkDatabase(database) },
    stop: () => router.stop(),
    close: () => database.destroy(),
  });
  logger.info({ operationsPort: operations?.port ?? null }, "router ready");
}

main().catch((error: unknown) => {
  console.error(`router failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
