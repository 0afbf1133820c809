import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { KeyRateLimit } from "@switchboard/contracts";
import { generationMetrics, type Logger } from "@switchboard/telemetry";
import { CreditLeases } from "./credit/credit-leases.js";
import type { FallbackPolicy } from "./generation/fallback-policy.js";
import { accessLogPlugin } from "./plugins/access-log.js";
import { answerClientError } from "./plugins/answer-client-error.js";
import { closeQuietConnections } from "./plugins/close-quiet-connections.js";
import { KeyAuthenticator } from "./plugins/authenticate.js";
import { errorHandlerPlugin } from "./plugins/error-handler.js";
import { followKeyChanges } from "./plugins/follow-key-changes.js";
import { requestMetricsPlugin } from "./plugins/request-metrics.js";
import { errorFromThrown, sendError } from "./plugins/send-error.js";
import type { ServiceClients } from "./plugins/service-clients.js";
import { RateLimiter } from "./rate-limits/rate-limiter.js";
import { shareRateLimitCounts } from "./rate-limits/share-rate-limit-counts.js";
import { traceRequestsPlugin } from "./plugins/trace-requests.js";
import type { LocalRouting } from "./routing/local-routing.js";
import { StickyEndpoints } from "./routing/sticky-endpoints.js";
import { OutstandingFacts } from "./generation/outstanding-facts.js";
import { publishIngressHeartbeat } from "./generation/publish-ingress-heartbeat.js";
import { adminRoutes } from "./routes/admin.js";
import { adminCatalogRoutes } from "./routes/admin-catalog.js";
import { chatCompletionsRoutes } from "./routes/chat-completions.js";
import { completionsRoutes } from "./routes/completions.js";
import { embeddingsRoutes } from "./routes/embeddings.js";
import { currentKeyRoutes } from "./routes/current-key.js";
import { generationRoutes } from "./routes/generation.js";
import { healthRoutes } from "./routes/health.js";
import { keyManagementRoutes } from "./routes/key-management.js";
import { listingsRoutes } from "./routes/listings.js";
import { modelsRoutes } from "./routes/models.js";

export interface AppDependencies {
  clients: ServiceClients;
  /** Fed by the routing bucket's watch (main.ts); requests are routed from it in process. */
  routing: LocalRouting;
  logger: Logger;
  adminKey: string | undefined;
  maxBodyBytes: number;
  /** How long an authenticated key is used from memory; billing's key-changed announcements end it sooner. */
  keyCacheTtlMs: number;
  generationIdleTimeoutMs: number;
  generationMaximumDurationMs: number;
  /** Attempts per model and the deadline for starting one; defaults to 3 within 60 s. */
  fallback?: FallbackPolicy;
  streamKeepAliveMs: number;
  streamCommitMs: number;
  /** Aborted by main.ts when shutdown's grace period is over: running generations end and publish facts. */
  shutdownSignal: AbortSignal;
  /** One info line per finished request (see plugins/access-log.ts); off by default. */
  accessLog?: boolean;
  /**
   * Credit leases (credit/credit-leases.ts): requests hold credit in memory against slices billing
   * grants this replica. `idleMs`: an unused lease goes back after it. Null turns them off: every
   * request then reserves through billing.
   */
  creditLeases: { idleMs: number } | null;
  /** The rate limit of keys without their own (RATE_LIMIT_REQUESTS); null or absent: none. */
  defaultRateLimit?: KeyRateLimit | null;
}

/** How often replicas exchange rate-limit counts, and after how long without a report a replica counts as gone. */
const rateLimitReportIntervalMs = 100;
const rateLimitPeerTimeoutMs = 1_000;

/** The ingress HTTP app. It never listens: main.ts does, tests use `inject()` or listen on port 0. */
export async function buildApp(dependencies: AppDependencies): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: dependencies.logger as FastifyBaseLogger,
    bodyLimit: dependencies.maxBodyBytes,
    // fastify's two lines per request cost CPU on the hot path at the default level; the opt-in access
    // log writes one instead, and errors of 500 and above are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: "x-request-id",
    return503OnClosing: true,
    // Refusals that happen before routing (bad percent-encoding, an over-long path parameter, requests
    // Node cannot parse) answer in OpenRouter's shape too, and never repeat the URL back.
    frameworkErrors: (error, _request, reply) => void sendError(reply, errorFromThrown(error)),
    clientErrorHandler: answerClientError,
  });
  closeQuietConnections(app);
  await app.register(traceRequestsPlugin);
  await app.register(requestMetricsPlugin);
  // Registered now, so /metrics lists the generation series before the first generation.
  generationMetrics();
  await app.register(errorHandlerPlugin);
  await app.register(accessLogPlugin, { enabled: dependencies.accessLog ?? false });
  const authenticator = new KeyAuthenticator(dependencies.clients, { ttlMs: dependencies.keyCacheTtlMs });
  // Subscribed before the app serves: NATS sees the subscription before this replica's first question to
  // billing, so no change committed after an answer billing gave it goes unheard.
  const stopFollowingKeyChanges = followKeyChanges({
    connection: dependencies.clients.connection,
    state: dependencies.clients.state,
    subjects: dependencies.clients.subjects,
    authenticator,
    logger: dependencies.logger,
  });
  app.addHook("onClose", async () => stopFollowingKeyChanges());
  // This replica's name on the bus: in its rate-limit reports, its credit leases, its heartbeat and its
  // generate requests (issue 10).
  const replica = `ingress-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const rateLimiter = new RateLimiter({ replica, reportIntervalMs: rateLimitReportIntervalMs, peerTimeoutMs: rateLimitPeerTimeoutMs });
  const stopSharingRateLimitCounts = shareRateLimitCounts({
    connection: dependencies.clients.connection,
    subjects: dependencies.clients.subjects,
    limiter: rateLimiter,
    replica,
    intervalMs: rateLimitReportIntervalMs,
    logger: dependencies.logger,
  });
  app.addHook("onClose", async () => stopSharingRateLimitCounts());
  const rateLimits = { limiter: rateLimiter, defaultLimit: dependencies.defaultRateLimit ?? null };
  await app.register(healthRoutes, { clients: dependencies.clients, routing: dependencies.routing });
  await app.register(modelsRoutes, { clients: dependencies.clients });
  await app.register(listingsRoutes, { routing: dependencies.routing });
  await app.register(adminRoutes, { clients: dependencies.clients, adminKey: dependencies.adminKey });
  await app.register(adminCatalogRoutes, { clients: dependencies.clients, adminKey: dependencies.adminKey });
  // Which generations' facts are stored: the heartbeat tells the connectors, who then drop their usage
  // reports of those instead of publishing them (issue 10).
  const outstandingFacts = new OutstandingFacts();
  const stopHeartbeat = publishIngressHeartbeat({ connection: dependencies.clients.connection, subjects: dependencies.clients.subjects, ingressId: replica, outstandingFacts });
  // After the requests in flight: their upstream calls go on only while this replica says it is alive.
  app.addHook("onClose", async () => stopHeartbeat());
  const leases = dependencies.creditLeases
    ? new CreditLeases({
        clients: dependencies.clients,
        logger: dependencies.logger,
        holder: replica,
        generationMaximumDurationMs: dependencies.generationMaximumDurationMs,
        idleMs: dependencies.creditLeases.idleMs,
      })
    : null;
  if (leases) {
    leases.start();
    // After the requests in flight: what their generations still hold is kept by billing for their facts.
    app.addHook("onClose", () => leases.stop());
  }
  const chatRouteOptions = {
    clients: dependencies.clients,
    routing: dependencies.routing,
    authenticator,
    idleTimeoutMs: dependencies.generationIdleTimeoutMs,
    maximumDurationMs: dependencies.generationMaximumDurationMs,
    ...(dependencies.fallback ? { fallback: dependencies.fallback } : {}),
    keepAliveMs: dependencies.streamKeepAliveMs,
    streamCommitMs: dependencies.streamCommitMs,
    shutdownSignal: dependencies.shutdownSignal,
    leases,
    ingressId: replica,
    outstandingFacts,
    // Per replica, in memory (README "Provider routing"): a load balancer with session affinity keeps a conversation on one replica.
    stickyEndpoints: new StickyEndpoints(),
    rateLimits,
  };
  await app.register(chatCompletionsRoutes, chatRouteOptions);
  // Legacy completions are chat generations: the same options, sticky routing included.
  await app.register(completionsRoutes, chatRouteOptions);
  await app.register(embeddingsRoutes, {
    clients: dependencies.clients,
    routing: dependencies.routing,
    authenticator,
    rateLimits,
    idleTimeoutMs: dependencies.generationIdleTimeoutMs,
    maximumDurationMs: dependencies.generationMaximumDurationMs,
    ...(dependencies.fallback ? { fallback: dependencies.fallback } : {}),
    shutdownSignal: dependencies.shutdownSignal,
    leases,
    ingressId: replica,
    outstandingFacts,
  });
  await app.register(generationRoutes, { clients: dependencies.clients, authenticator });
  await app.register(keyManagementRoutes, { clients: dependencies.clients, adminKey: dependencies.adminKey, authenticator });
  await app.register(currentKeyRoutes, { clients: dependencies.clients, authenticator, defaultRateLimit: rateLimits.defaultLimit });
  return app;
}
