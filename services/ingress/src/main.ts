import { setMaxListeners } from "node:events";
import { createSubjects } from "@switchboard/contracts";
import { loadConfig } from "@switchboard/config";
import { busIdentities, connectNats, ensureFactsStream, FactPublisher, natsConnectionSettings, RoutingSnapshotWatch, shutDownOnSignals } from "@switchboard/messaging";
import { createLogger } from "@switchboard/telemetry";
import { buildApp } from "./app.js";
import { ingressConfigSchema } from "./config.js";
import { effectiveBodyLimit } from "./plugins/effective-body-limit.js";
import { createServiceClients } from "./plugins/service-clients.js";
import { LocalRouting } from "./routing/local-routing.js";

async function main(): Promise<void> {
  const config = loadConfig(ingressConfigSchema, process.env);
  const logger = createLogger("ingress", config.LOG_LEVEL);
  const subjects = createSubjects(config.SWITCHBOARD_NATS_NAMESPACE);
  const connection = await connectNats({ ...natsConnectionSettings(config, busIdentities.ingress), name: "switchboard-ingress", logger });
  await ensureFactsStream(connection, subjects);
  const publisher = new FactPublisher(connection, { logger });
  // Routing follows the router's snapshot in the routing bucket; /readyz stays red until the first one.
  const routing = new LocalRouting();
  const routingWatch = new RoutingSnapshotWatch(connection, subjects, {
    logger,
    onSnapshot: (update) => {
      routing.apply(update);
      logger.info({ revision: update.revision, publishedAt: update.snapshot.publishedAt }, "routing snapshot applied");
    },
  });
  const maxBodyBytes = effectiveBodyLimit(config.MAX_BODY_BYTES, connection.info?.max_payload);
  if (maxBodyBytes < config.MAX_BODY_BYTES) {
    logger.warn(
      { configured: config.MAX_BODY_BYTES, effective: maxBodyBytes, natsMaxPayload: connection.info?.max_payload },
      "MAX_BODY_BYTES is above what the NATS server's max_payload can carry; larger bodies get 413. Raise max_payload in the NATS server configuration.",
    );
  }
  const shutdown = new AbortController();
  // Every running generation listens for shutdown: thousands of listeners here are expected, not a leak.
  setMaxListeners(0, shutdown.signal);
  const app = await buildApp({
    clients: createServiceClients(connection, subjects, publisher, config.SERVICE_REQUEST_TIMEOUT_MS),
    routing,
    logger,
    adminKey: config.SWITCHBOARD_ADMIN_KEY,
    maxBodyBytes,
    keyCacheTtlMs: config.KEY_CACHE_TTL_MS,
    generationIdleTimeoutMs: config.GENERATION_IDLE_TIMEOUT_MS,
    generationMaximumDurationMs: config.GENERATION_MAX_DURATION_MS,
    fallback: { maximumAttemptsPerModel: config.GENERATION_MAX_ATTEMPTS, deadlineMs: config.GENERATION_FALLBACK_DEADLINE_MS },
    streamKeepAliveMs: config.STREAM_KEEPALIVE_MS,
    streamCommitMs: config.STREAM_COMMIT_MS,
    shutdownSignal: shutdown.signal,
    accessLog: config.ACCESS_LOG,
    creditLeases: config.CREDIT_LEASES ? { idleMs: config.CREDIT_LEASE_IDLE_MS } : null,
    defaultRateLimit: config.RATE_LIMIT_REQUESTS === undefined ? null : { requests: config.RATE_LIMIT_REQUESTS, intervalSeconds: config.RATE_LIMIT_INTERVAL_SECONDS },
  });
  await app.listen({ port: config.PORT, host: config.HOST });

  shutDownOnSignals({
    service: "ingress",
    logger,
    connection,
    // close() stops accepting and lets in-flight requests finish for a grace period; generations still
    // running then are ended (cancelled upstream, answered with a retryable error, their facts published),
    // and every fact is flushed before NATS drains.
    stop: async () => {
      const closed = app.close();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
      shutdown.abort();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      await Promise.race([publisher.pending(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      routingWatch.stop();
    },
  });
}

main().catch((error: unknown) => {
  console.error(`ingress failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
