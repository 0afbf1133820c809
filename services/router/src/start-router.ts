import type { NatsConnection } from "@nats-io/transport-node";
import { listModelsRequestSchema, routeRequestSchema, serviceNames, type Subjects } from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import { defineEndpoint, publishRoutingSnapshot, serveEndpoints } from "@switchboard/messaging";
import { createRoutingTable, selectRoute } from "@switchboard/routing";
import type { Kysely } from "kysely";
import type { Logger } from "@switchboard/telemetry";
import { buildModelListings } from "./build-model-listings.js";
import { buildCatalogSnapshot } from "./catalog/catalog-snapshot.js";
import { readCatalogFile } from "./catalog/read-catalog-file.js";
import { storeCatalog } from "./catalog/store-catalog.js";

export interface RouterDependencies {
  connection: NatsConnection;
  database: Kysely<Database>;
  subjects: Subjects;
  logger: Logger;
  catalogPath: string;
  /** The environment the catalog's `${NAME}` references and `api_key_env` names are resolved against. */
  environment: Record<string, string | undefined>;
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
  const revision = await publishRoutingSnapshot(connection, subjects, {
    version: 1,
    loadedAt: catalog.loadedAt.toISOString(),
    publishedAt: new Date().toISOString(),
    models: catalog.models,
  });
  logger.info({ revision }, "routing snapshot published");

  const service = await serveEndpoints(connection, {
    name: serviceNames.router,
    version: "0.1.0",
    description: "Chooses the endpoints that may serve a request, best first",
    queue: subjects.queueGroup(serviceNames.router),
    logger,
    endpoints: [
      defineEndpoint({ subject: subjects.routerRoute, requestSchema: routeRequestSchema, handler: async (request) => selectRoute(table, request) }),
      defineEndpoint({ subject: subjects.routerListModels, requestSchema: listModelsRequestSchema, handler: async () => ({ data: listings, links: { next: null }, total_count: listings.length }) }),
    ],
  });
  return {
    revision,
    async stop() {
      await service.stop();
    },
  };
}
