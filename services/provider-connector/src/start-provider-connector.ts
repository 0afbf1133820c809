import type { NatsConnection } from "@nats-io/transport-node";
import { generateRequestSchema, serviceNames, type Subjects } from "@switchboard/contracts";
import { ConnectionState, defineEndpoint, FactPublisher, RoutingSnapshotWatch, serveEndpoints } from "@switchboard/messaging";
import { upstreamErrorMetrics, type Logger } from "@switchboard/telemetry";
import { answerProgressQueries } from "./handlers/answer-progress-queries.js";
import { AttemptRegistry } from "./handlers/attempt-registry.js";
import { EndpointDirectory } from "./handlers/endpoint-directory.js";
import { createGenerateHandler } from "./handlers/generate.js";
import { InFlightGenerations } from "./handlers/in-flight-generations.js";
import { defaultIngressSilenceMs, IngressLiveness } from "./handlers/ingress-liveness.js";
import { subscribeToIngressHeartbeats } from "./handlers/subscribe-to-ingress-heartbeats.js";
import { HeldUsageReports } from "./handlers/held-usage-reports.js";
import { jetStreamUsageReporter } from "./handlers/usage-reporter.js";
import { defaultOutcomeReportIntervalMs, outcomeFailureDelayMs, startOutcomeReporter } from "./health/outcome-reporter.js";
import { defaultAcknowledgementDelayMs } from "./handlers/numbered-part-publisher.js";
import { defaultHeartbeatIntervalMs } from "./handlers/publish-heartbeats.js";
import { subscribeToCancellations } from "./handlers/subscribe-to-cancellations.js";
import { providerRegistry, type ProviderRegistry } from "./providers/registry.js";
import { awsSigV4SignerName, createAwsSigV4Signer } from "./transport/aws-sigv4-signer.js";
import { createUpstreamTransport, defaultUpstreamTimeouts, type UpstreamTimeouts } from "./transport/upstream-transport.js";

export interface ProviderConnectorDependencies {
  /** An open connection; the caller owns it and drains it after `stop()`. */
  connection: NatsConnection;
  subjects: Subjects;
  logger: Logger;
  /**
   * Reads a provider key by environment variable name; main.ts passes `(name) => process.env[name]`. Only
   * names from the router's routing snapshot are ever asked for, never one a message gives.
   */
  resolveApiKey: (environmentVariableName: string) => string | undefined;
  /** Defaults to the same values as the `UPSTREAM_*_TIMEOUT_MS` settings. */
  upstreamTimeouts?: UpstreamTimeouts;
  /** The adapters to serve; every registered adapter unless a test narrows it. */
  registry?: ProviderRegistry;
  /** How long `stop()` lets in-flight generations finish before aborting them. */
  shutdownGraceMs?: number;
  /** How often a running generation publishes a `heartbeat` part; defaults to `CONNECTOR_HEARTBEAT_MS`'s default. */
  heartbeatIntervalMs?: number;
  /** How long part 0 may wait for the answer's first part; defaults to `CONNECTOR_ACKNOWLEDGE_DELAY_MS`'s default. */
  acknowledgementDelayMs?: number;
  /**
   * How long start-up waits for the first routing snapshot before serving anyway (generations get a
   * retryable 503 until it arrives); the router may simply not have started yet.
   */
  routingSnapshotWaitMs?: number;
  /** How often attempt outcomes are reported to the router at most; defaults to `CONNECTOR_OUTCOME_REPORT_MS`'s default. */
  outcomeReportIntervalMs?: number;
  /** How long an ingress replica may be silent before its attempts are stopped; defaults to `INGRESS_SILENCE_MS`'s default. */
  ingressSilenceMs?: number;
}

export interface ProviderConnector {
  /**
   * Stops accepting generations, lets in-flight ones finish (bounded by `shutdownGraceMs`, then aborts
   * them with a retryable `service_unavailable`), stops listening for cancels and closes the upstream
   * connection pools. Idempotent.
   */
  stop(): Promise<void>;
}

const defaultShutdownGraceMs = 10_000;
/** How long shutdown waits for usage reports still unacknowledged. */
const usageReportsGraceMs = 5_000;
/** After aborting, generations only have to publish their `service_unavailable` error part. */
const abortedGenerationsGraceMs = 1_000;

/**
 * Everything of the provider connector after configuration and the NATS connection: the `connector`
 * NATS service with its `generate` endpoint, the cancel subscription and the upstream transport. Tests
 * run it in-process against a real NATS server under their own namespace.
 */
export async function startProviderConnector(dependencies: ProviderConnectorDependencies): Promise<ProviderConnector> {
  const { connection, subjects, logger } = dependencies;
  // Registered now, so /metrics lists the upstream error series before the first failure.
  upstreamErrorMetrics();
  const transport = createUpstreamTransport(dependencies.upstreamTimeouts ?? defaultUpstreamTimeouts, new Map([[awsSigV4SignerName, createAwsSigV4Signer()]]));
  const inFlight = new InFlightGenerations((error, generationId) => logger.error({ err: error, generation_id: generationId }, "generation crashed"));
  // Listen for cancels before accepting work, so no accepted generation is ever out of reach of a cancel.
  const cancelSubscription = subscribeToCancellations({ connection, subjects, inFlight, logger });
  // Heard before accepting work, so a running ingress is never taken for a silent one (issue 10).
  const connectionState = new ConnectionState(connection);
  const liveness = new IngressLiveness({ silenceMs: dependencies.ingressSilenceMs ?? defaultIngressSilenceMs, isConnected: () => connectionState.connected });
  const silenceMs = dependencies.ingressSilenceMs ?? defaultIngressSilenceMs;
  // Reports wait in memory until their ingress says the fact is stored (then dropped) or goes silent
  // (then published): nearly none reach JetStream.
  const usageReports = new HeldUsageReports({
    publisher: jetStreamUsageReporter(new FactPublisher(connection, { logger }), subjects),
    silenceMs,
    lastHeardAt: (ingressId) => liveness.lastHeardAt(ingressId),
  });
  const heartbeatSubscription = subscribeToIngressHeartbeats({ connection, subjects, liveness, heldReports: usageReports, logger });
  const attempts = new AttemptRegistry();
  const outcomes = startOutcomeReporter({
    connection,
    subjects,
    logger,
    intervalMs: dependencies.outcomeReportIntervalMs ?? defaultOutcomeReportIntervalMs,
    failureDelayMs: Math.min(outcomeFailureDelayMs, dependencies.outcomeReportIntervalMs ?? defaultOutcomeReportIntervalMs),
  });
  const endpoints = new EndpointDirectory();
  const routingWatch = new RoutingSnapshotWatch(connection, subjects, {
    logger,
    onSnapshot: (update) => {
      endpoints.apply(update);
      logger.info({ revision: update.revision, publishedAt: update.snapshot.publishedAt }, "routing snapshot applied");
    },
  });
  if (!(await routingWatch.waitForSnapshot(dependencies.routingSnapshotWaitMs ?? 2_000))) {
    logger.warn("no routing snapshot yet (is the router running?); generations are refused until it arrives");
  }
  const progressSubscription = answerProgressQueries({ connection, subjects, attempts, logger });
  const service = await serveEndpoints(connection, {
    name: serviceNames.connector,
    version: "0.1.0",
    description: "Calls upstream LLM provider APIs and streams translated parts back",
    queue: subjects.queueGroup(serviceNames.connector),
    endpoints: [
      defineEndpoint({
        subject: subjects.connectorGenerate,
        requestSchema: generateRequestSchema,
        answersItself: true,
        handler: createGenerateHandler({
          connection,
          transport,
          registry: dependencies.registry ?? providerRegistry,
          endpoints,
          resolveApiKey: dependencies.resolveApiKey,
          inFlight,
          attempts,
          logger,
          heartbeatIntervalMs: dependencies.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs,
          acknowledgementDelayMs: dependencies.acknowledgementDelayMs ?? defaultAcknowledgementDelayMs,
          outcomes,
          liveness,
          usageReports,
        }),
      }),
    ],
    logger,
  });
  // The server knows our subscriptions once this returns, so a request sent next finds a responder.
  await connection.flush();

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    await service.stop();
    const graceMs = dependencies.shutdownGraceMs ?? defaultShutdownGraceMs;
    if (!(await inFlight.waitUntilIdle(graceMs))) {
      logger.warn({ inFlight: inFlight.size, graceMs }, "aborting generations still running at shutdown");
      inFlight.abortAllForShutdown();
      await inFlight.waitUntilIdle(abortedGenerationsGraceMs);
    }
    // The usage reports of the last generations are what charges them if their ingress is gone too; but a
    // JetStream that does not answer must not hold shutdown for the publisher's minutes of retries.
    let reportsTimer: NodeJS.Timeout | undefined;
    await Promise.race([usageReports.pending(), new Promise((resolve) => (reportsTimer = setTimeout(resolve, usageReportsGraceMs)))]);
    clearTimeout(reportsTimer);
    cancelSubscription.unsubscribe();
    heartbeatSubscription.unsubscribe();
    liveness.stop();
    progressSubscription.unsubscribe();
    outcomes.stop();
    routingWatch.stop();
    attempts.clear();
    await transport.close();
  }
  return {
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}
