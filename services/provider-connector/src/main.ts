import { loadConfig } from "@switchboard/config";
import { createSubjects, providerKeyVariableProblem } from "@switchboard/contracts";
import { busIdentities, connectNats, natsConnectionSettings, startServiceOperations } from "@switchboard/messaging";
import { createLogger } from "@switchboard/telemetry";
import { providerConnectorConfigSchema } from "./config.js";
import { startProviderConnector } from "./start-provider-connector.js";

async function main(): Promise<void> {
  const config = loadConfig(providerConnectorConfigSchema, process.env);
  const logger = createLogger("provider-connector", config.LOG_LEVEL);
  const connection = await connectNats({ ...natsConnectionSettings(config, busIdentities.providerConnector), name: "provider-connector", logger });
  const connector = await startProviderConnector({
    connection,
    subjects: createSubjects(config.SWITCHBOARD_NATS_NAMESPACE),
    logger,
    // Read at call time, by the name each catalog endpoint gives: keys never pass through NATS. Only a
    // provider key's name is read (the generate handler refuses the others first; this is the last guard).
    resolveApiKey: (environmentVariableName) => (providerKeyVariableProblem(environmentVariableName) === null ? process.env[environmentVariableName] : undefined),
    upstreamTimeouts: {
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
    },
    heartbeatIntervalMs: config.CONNECTOR_HEARTBEAT_MS,
    acknowledgementDelayMs: config.CONNECTOR_ACKNOWLEDGE_DELAY_MS,
    outcomeReportIntervalMs: config.CONNECTOR_OUTCOME_REPORT_MS,
    ingressSilenceMs: config.INGRESS_SILENCE_MS,
  });
  // The connector has no database: ready is NATS connected.
  const operations = await startServiceOperations({ service: "provider-connector", logger, connection, settings: config, stop: () => connector.stop() });
  logger.info({ namespace: config.SWITCHBOARD_NATS_NAMESPACE, operationsPort: operations?.port ?? null }, "provider connector started");
}

main().catch((error: unknown) => {
  // The logger may not exist yet (invalid configuration), so report on stderr directly.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
