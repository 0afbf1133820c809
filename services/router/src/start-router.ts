import type { NatsConnection } from "@nats-io/transport-node";
import { endpointOutcomeReportSchema, listModelsRequestSchema, routeRequestSchema, serviceNames, type EndpointHealth, type Subjects } from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import { defineEndpoint, openRoutingBucket, publishRoutingSnapshot, readRoutingSnapshot, replaceRoutingSnapshot, RoutingSnapshotWatch, serveEndpoints } from "@switchboard/messaging";
import { createRoutingTable, selectRoute } from "@switchboard/routing";
import type { Kysely } from "kysely";
import type { Logger } from "@switchboard/telemetry";
import { buildModelListings } from "./build-model-listings.js";
import { buildCatalogSnapshot } from "./catalog/catalog-snapshot.js";
import { readCatalogFile } from "./catalog/read-catalog-file.js";
import { storeCatalog } from "./catalog/store-catalog.js";
import { defaultHealthPolicy, EndpointHealthTracker, type HealthPolicy } from "./health/endpoint-health-tracker.js";
import { defaultHealthFiguresIntervalMs, HealthPublisher } from "./health/health-publisher.js";
import { resumePublishedHealth } from "./health/resume-published-health.js";

export interface RouterDependencies {
  connection: NatsConnection;
  database: Kysely<Database>;
  subjects: Subjects;
  logger: Logger;
  catalogPath: string;
  /** The environment the catalog's `${NAME}` references and `api_key_env` names are resolved against. */
  environment: Record<string, string | undefined>;
  /** When endpoints are ejected and for how long; tests shorten it. */
  healthPolicy?: HealthPolicy;
  /** Health figures are republished at most this often when no endpoint's status changed. */
  healthFiguresIntervalMs?: number;
  /** The `route` endpoint's draw for the default load balancing, as ingress's; without it, the price order. */
  random?: () => number;
}

/**
 * Loads the catalog (file → PostgreSQL → memory), publishes it as the routing snapshot that ingress routes
 * from and the connector resolves endpoints from, and answers `models` (and `route`, the same pure ranking
 * ingress runs, for operators and tools) from memory.
 */
export async function startRouter(dependencies: RouterDependencies): Promise<{ stop(): Promise<void>; revision: number }> {
  const { connection, database, subjects, logger, environment } = dependencies;
  const file = await readCatalogFile(dependencies.catalogPath, environment);
  await storeCatalog(database, file);
  const catalog = buildCatalogSnapshot(file, (name) => (environment[name] ?? "") !== "");
  const listings = buildModelListings(catalog);
  const table = createRoutingTable(catalog);
  const usable = catalog.models.filter((model) => model.endpoints.length > 0).length;
  logger.info({ catalog: dependencies.catalogPath, models: catalog.models.length, usableModels: usable }, "catalog loaded");
  if (usable === 0) logger.warn("no model has a configured provider: set a provider API key variable named in the catalog");
  const snapshotOf = (health: Record<string, EndpointHealth>) => ({
    version: 2 as const,
    loadedAt: catalog.loadedAt.toISOString(),
    publishedAt: new Date().toISOString(),
    models: catalog.models,
    health,
  });
  // Health (issue 9): outcome reports from every connector → windows and ejections → the snapshot. A
  // restart takes up the health in the bucket first, so it does not publish ejected endpoints as healthy.
  const bucket = await openRoutingBucket(connection, subjects);
  const tracker = new EndpointHealthTracker(dependencies.healthPolicy ?? defaultHealthPolicy);
  const endpointIds = new Set(table.endpoints.keys());
  const startingHealth = resumePublishedHealth({ previous: await readRoutingSnapshot(bucket, subjects), tracker, endpointIds, logger, now: Date.now() });
  const revision = await publishRoutingSnapshot(connection, subjects, snapshotOf(startingHealth));
  logger.info({ revision }, "routing snapshot published");

  const healthPublisher = new HealthPublisher({
    tracker,
    figuresIntervalMs: dependencies.healthFiguresIntervalMs ?? defaultHealthFiguresIntervalMs,
    logger,
    write: async (health, expectedRevision) => {
      const written = await replaceRoutingSnapshot(bucket, subjects, snapshotOf(health), expectedRevision);
      if (written !== null) logger.info({ revision: written, ejected: Object.keys(health).filter((id) => health[id]?.status === "ejected") }, "routing snapshot published with health");
      return written;
    },
  });
  healthPublisher.observe(revision, startingHealth, Date.now());
  // The router watches its own bucket to learn what other replicas wrote (see HealthPublisher).
  const routingWatch = new RoutingSnapshotWatch(connection, subjects, {
    logger,
    onSnapshot: (update) => healthPublisher.observe(update.revision, update.snapshot.health, Date.parse(update.snapshot.publishedAt)),
  });
  // No queue group: every replica hears every report and judges the same traffic.
  const outcomeSubscription = connection.subscribe(subjects.endpointOutcomes, {
    callback: (error, message) => {
      if (error) return;
      const parsed = endpointOutcomeReportSchema.safeParse(safeJson(message.string()));
      if (!parsed.success) {
        logger.warn({ issues: parsed.error.issues.slice(0, 3) }, "outcome report does not parse; ignored");
        return;
      }
      const now = Date.now();
      for (const endpoint of parsed.data.endpoints) tracker.record(endpoint, now);
      healthPublisher.evaluate();
    },
  });

  const service = await serveEndpoints(connection, {
    name: serviceNames.router,
    version: "0.1.0",
    description: "Chooses the endpoints that may serve a request, best first",
    queue: subjects.queueGroup(serviceNames.router),
    logger,
    endpoints: [
      defineEndpoint({ subject: subjects.routerRoute, requestSchema: routeRequestSchema, handler: async (request) => selectRoute(table, request, { health: healthPublisher.publishedHealth, ...(dependencies.random ? { random: dependencies.random } : {}) }) }),
      defineEndpoint({ subject: subjects.routerListModels, requestSchema: listModelsRequestSchema, handler: async () => ({ data: listings, links: { next: null }, total_count: listings.length }) }),
    ],
  });
  return {
    revision,
    async stop() {
      await service.stop();
      outcomeSubscription.unsubscribe();
      routingWatch.stop();
      healthPublisher.stop();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
