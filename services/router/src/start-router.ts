import type { NatsConnection } from "@nats-io/transport-node";
import { SpanKind } from "@opentelemetry/api";
import {
  endpointOutcomeReportSchema,
  gatewayError,
  gatewayErrorCodes,
  listModelsRequestSchema,
  putCatalogEntryRequestSchema,
  routeRequestSchema,
  serviceNames,
  setCatalogEntryDisabledRequestSchema,
  SwitchboardError,
  type EndpointHealth,
  type RoutingSnapshot,
  type Subjects,
} from "@switchboard/contracts";
import { isDatabaseUnavailable, type Database } from "@switchboard/db";
import {
  defineEndpoint,
  extractTraceContext,
  openRoutingBucket,
  readRoutingSnapshot,
  replaceRoutingSnapshot,
  RoutingSnapshotWatch,
  serveEndpoints,
  startMessagingSpan,
  type RoutingSnapshotUpdate,
} from "@switchboard/messaging";
import { createRoutingTable, selectRoute } from "@switchboard/routing";
import type { Kysely } from "kysely";
import { isTracing, markSpanFailed, messagingOperationTypes, type Logger } from "@switchboard/telemetry";
import { z } from "zod";
import { buildModelListings } from "./build-model-listings.js";
import type { EffectiveCatalog } from "./catalog/apply-catalog-changes.js";
import { buildCatalogSnapshot } from "./catalog/catalog-snapshot.js";
import { newestCatalogRevision } from "./catalog/catalog-changes-store.js";
import { catalogEntryOf, putCatalogEntry, setCatalogEntryDisabled } from "./catalog/change-catalog-entry.js";
import { describeCatalogEntry, describeEffectiveCatalog } from "./catalog/describe-effective-catalog.js";
import { LatestWorkQueue } from "./catalog/latest-work-queue.js";
import { loadEffectiveCatalog } from "./catalog/load-effective-catalog.js";
import { readCatalogFile } from "./catalog/read-catalog-file.js";
import { readModelCreationTimes } from "./catalog/read-model-creation-times.js";
import { seedDigest } from "./catalog/seed-digest.js";
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
  /** How often this replica asks PostgreSQL for a catalog change no snapshot carries yet (default 5 s). */
  catalogCheckIntervalMs?: number;
}

const defaultCatalogCheckIntervalMs = 5_000;
/** Compare-and-set attempts before a publication gives up: each failed one means another replica just wrote. */
const maximumPutAttempts = 5;

/** What the reconciliation has to do: a snapshot the watch brought, and whether to look at PostgreSQL too. */
interface ReconcileWork {
  update: RoutingSnapshotUpdate | null;
  checkDatabase: boolean;
}

/**
 * Loads the catalog (the file as seed, the run-time changes from PostgreSQL over it → PostgreSQL's catalog
 * tables → memory), publishes it as the routing snapshot that ingress routes from and the connector
 * resolves endpoints from, and answers `models` (and `route`, the same pure ranking ingress runs, for
 * operators and tools) from memory. The admin endpoints change the catalog at run time: each change is
 * committed, then published at once with the current health.
 *
 * Several replicas: the snapshot carries the catalog's revision (its newest run-time change). A replica
 * that sees a newer one in the bucket reloads from PostgreSQL before its health publisher may write again
 * (until then that publisher's compare-and-set writes fail, as it has not observed the newer revision);
 * one that sees an older one puts its newer catalog back. So no replica republishes models a change replaced.
 * Every catalog write is a compare-and-set over the entry just read (at start too), a reload or republish
 * that fails is tried again with backoff, and every replica checks PostgreSQL every few seconds for a
 * stored change no snapshot carries (its writer died, or its publication failed).
 */
export async function startRouter(dependencies: RouterDependencies): Promise<{ stop(): Promise<void>; revision: number }> {
  const { connection, database, subjects, logger, environment } = dependencies;
  const seed = await readCatalogFile(dependencies.catalogPath, environment);
  const ownSeedDigest = seedDigest(seed);
  const loadedAt = new Date();
  const isKeyConfigured = (name: string) => (environment[name] ?? "") !== "";
  const stateOf = (effective: EffectiveCatalog, createdAt: ReadonlyMap<string, Date>) => {
    const catalog = buildCatalogSnapshot(effective.routable, isKeyConfigured, loadedAt);
    return { effective, catalog, listings: buildModelListings(catalog, createdAt), table: createRoutingTable(catalog) };
  };
  let current = stateOf(await loadEffectiveCatalog(database, seed, { store: true }), await readModelCreationTimes(database));
  let loadsStarted = 0;
  let adoptedLoad = 0;
  /**
   * Loads the catalog from PostgreSQL and takes it, unless a load started later was taken meanwhile (loads
   * can finish out of order). Ordered by when the load started, not by revision: PostgreSQL is the truth
   * even when its revisions went down (a restored or reset database), which a revision order would ignore.
   */
  const reload = async () => {
    const load = ++loadsStarted;
    const effective = await loadEffectiveCatalog(database, seed, { store: false });
    const createdAt = await readModelCreationTimes(database);
    if (load < adoptedLoad) return;
    adoptedLoad = load;
    const before = current.effective.revision;
    current = stateOf(effective, createdAt);
    if (effective.revision !== before) logger.info({ catalogRevision: effective.revision, models: current.catalog.models.length }, "catalog reloaded");
  };
  const usable = current.catalog.models.filter((model) => model.endpoints.length > 0).length;
  logger.info({ catalog: dependencies.catalogPath, catalogRevision: current.effective.revision, models: current.catalog.models.length, usableModels: usable }, "catalog loaded");
  if (usable === 0) logger.warn("no model has a configured provider: set a provider API key variable named in the catalog");
  for (const ignored of current.effective.ignored) logger.warn({ kind: ignored.kind, id: ignored.id, issues: ignored.issues }, "a stored run-time catalog change does not apply to this catalog file; ignored");
  /** Health is published for the endpoints this catalog routes to only: one removed or disabled drops out. */
  const isCurrentEndpoint = (endpointId: string) => current.table.endpoints.has(endpointId);
  const snapshotOf = (health: Record<string, EndpointHealth>): RoutingSnapshot => ({
    version: 2 as const,
    loadedAt: loadedAt.toISOString(),
    publishedAt: new Date().toISOString(),
    models: current.catalog.models,
    health: Object.fromEntries(Object.entries(health).filter(([endpointId]) => isCurrentEndpoint(endpointId))),
    catalogRevision: current.effective.revision,
    seedDigest: ownSeedDigest,
  });
  // Health (issue 9): outcome reports from every connector → windows and ejections → the snapshot. A
  // restart takes up the health in the bucket first, so it does not publish ejected endpoints as healthy.
  const bucket = await openRoutingBucket(connection, subjects);
  let stopped = false;

  /**
   * Puts this replica's catalog into the bucket by compare-and-set over the entry just read, with that
   * entry's health unless `healthOf` says otherwise: it never overwrites a snapshot it has not seen
   * (another replica's newer health, or a newer catalog, which it loads first). Without `force` it writes
   * nothing when the bucket already has this catalog or a newer one. The new KV revision, or null.
   */
  const putCatalog = async (options: { force: boolean; healthOf?: (previous: RoutingSnapshotUpdate | null) => Record<string, EndpointHealth> }) => {
    for (let attempt = 1; ; attempt += 1) {
      const previous = await readRoutingSnapshot(bucket, subjects);
      // A key without a snapshot that parses is replaced over its own revision (0: no such key).
      const expectedRevision = previous?.revision ?? (await bucket.get(subjects.routingSnapshotKey))?.revision ?? 0;
      const seen = previous?.snapshot.catalogRevision ?? 0;
      if (seen > current.effective.revision) await reload();
      if (seen > current.effective.revision) logger.warn({ bucket: seen, database: current.effective.revision }, "the routing snapshot names a newer catalog revision than PostgreSQL holds (a restored or reset database?)");
      if (previous !== null && seen >= current.effective.revision && !options.force) return null;
      if (stopped) return null;
      const health = options.healthOf?.(previous) ?? previous?.snapshot.health ?? {};
      const written = await replaceRoutingSnapshot(bucket, subjects, snapshotOf(health), expectedRevision);
      if (written !== null) return written;
      if (attempt === maximumPutAttempts) throw new Error(`the routing snapshot changed under each of ${maximumPutAttempts} attempts to publish catalog revision ${current.effective.revision}`);
    }
  };

  const tracker = new EndpointHealthTracker(dependencies.healthPolicy ?? defaultHealthPolicy);
  const found = await readRoutingSnapshot(bucket, subjects);
  // A change committed and published by another replica since this one loaded: take it before publishing.
  if ((found?.snapshot.catalogRevision ?? 0) > current.effective.revision) await reload();
  const endpointIds = new Set(current.table.endpoints.keys());
  const startingHealth = resumePublishedHealth({ previous: found, tracker, endpointIds, logger, now: Date.now() });
  const revision = await putCatalog({ force: true, healthOf: (previous) => (previous?.revision === found?.revision ? startingHealth : (previous?.snapshot.health ?? {})) });
  if (revision === null) throw new Error("the router was stopped while starting");
  logger.info({ revision, catalogRevision: current.effective.revision }, "routing snapshot published");

  const healthPublisher = new HealthPublisher({
    // Judged over the current endpoints only, like what is published: otherwise the state of a removed
    // endpoint would differ from the published health forever, and every evaluation would write again.
    tracker: {
      healthAt: (now) => new Map([...tracker.healthAt(now)].filter(([endpointId]) => isCurrentEndpoint(endpointId))),
      nextEjectionEnd: (now) => tracker.nextEjectionEnd(now),
    },
    figuresIntervalMs: dependencies.healthFiguresIntervalMs ?? defaultHealthFiguresIntervalMs,
    logger,
    write: async (health, expectedRevision) => {
      if (stopped) return null;
      const written = await replaceRoutingSnapshot(bucket, subjects, snapshotOf(health), expectedRevision);
      if (written !== null) logger.info({ revision: written, ejected: Object.keys(health).filter((id) => health[id]?.status === "ejected") }, "routing snapshot published with health");
      return written;
    },
  });
  healthPublisher.observe(revision, startingHealth, Date.now());

  /** The newest snapshot the watch brought (this replica's own writes included). */
  let latestSeen: RoutingSnapshotUpdate | null = null;
  const republish = async () => {
    const written = await putCatalog({ force: false });
    if (written !== null) logger.info({ revision: written, catalogRevision: current.effective.revision }, "routing snapshot republished with the newer catalog");
  };
  /** The other seed digest this replica warned about last: once per digest, not once per snapshot. */
  let warnedSeedDigest: string | undefined;
  /** Brings this replica and the bucket to the newest catalog, then lets the health publisher see the snapshot. */
  const reconcileUpdate = async (update: RoutingSnapshotUpdate) => {
    const seen = update.snapshot.catalogRevision ?? 0;
    // Another revision than this replica's: PostgreSQL says which catalog is current (before putting ours
    // back over an older one too, in case PostgreSQL's revisions went down and ours is the stale one).
    if (seen !== current.effective.revision) await reload();
    const otherDigest = update.snapshot.seedDigest;
    if (seen === current.effective.revision && otherDigest !== undefined && otherDigest !== ownSeedDigest && otherDigest !== warnedSeedDigest) {
      warnedSeedDigest = otherDigest;
      logger.warn(
        { catalogRevision: seen, seedDigest: ownSeedDigest, otherSeedDigest: otherDigest },
        "another router replica runs a different catalog file: ingress follows whichever replica published last until every replica has the same file",
      );
    }
    if (seen < current.effective.revision) {
      // Another replica wrote without a change this one has: put it back, over what is in the bucket now.
      await republish();
      return; // the watch brings whatever is now in the bucket, ours or newer
    }
    healthPublisher.observe(update.revision, update.snapshot.health, Date.parse(update.snapshot.publishedAt));
  };
  /** A change stored that no snapshot carries (its replica died before publishing, or its publication failed). */
  const checkStoredCatalog = async () => {
    if ((await newestCatalogRevision(database)) !== current.effective.revision) await reload();
    if ((latestSeen?.snapshot.catalogRevision ?? 0) < current.effective.revision) await republish();
  };
  // One reconciliation at a time, only the newest snapshot pending, a failed one tried again with backoff:
  // a replica whose reload failed (database down) would otherwise wait for a next snapshot that may never come.
  const reconciliation = new LatestWorkQueue<ReconcileWork>({
    run: async ({ update, checkDatabase }) => {
      if (update !== null) await reconcileUpdate(update);
      if (checkDatabase) await checkStoredCatalog();
    },
    merge: (pending, newer) => ({ update: newer.update ?? pending.update, checkDatabase: pending.checkDatabase || newer.checkDatabase }),
    onFailure: (error, failures, retryInMs) => logger.warn({ err: error, failures, retryInMs }, "routing snapshot not reconciled; trying again"),
  });
  // The router watches its own bucket to learn what other replicas wrote (see HealthPublisher).
  const routingWatch = new RoutingSnapshotWatch(connection, subjects, {
    logger,
    onSnapshot: (update) => {
      latestSeen = update;
      reconciliation.push({ update, checkDatabase: false });
    },
  });
  const catalogCheck = setInterval(() => reconciliation.push({ update: null, checkDatabase: true }), dependencies.catalogCheckIntervalMs ?? defaultCatalogCheckIntervalMs);
  catalogCheck.unref();
  /**
   * After a committed admin change: reload, and publish at once (compare-and-set, with the health in the
   * bucket). If that fails the change is stored but not routed by yet: it is published in the background
   * (tried again with backoff; every replica also finds it in PostgreSQL within seconds), and the admin
   * gets a retryable 503 (the same request again, a put or a flag being idempotent, is harmless).
   */
  const publishChange = async () => {
    try {
      await reload();
      const published = await putCatalog({ force: false });
      logger.info({ revision: published, catalogRevision: current.effective.revision }, "routing snapshot published with a catalog change");
      return current.effective;
    } catch (error) {
      logger.error({ err: error }, "catalog change stored but not published; trying again in the background");
      reconciliation.push({ update: null, checkDatabase: true });
      const message = "The catalog change is stored but could not be published yet; the router keeps trying, and sending the same request again is safe.";
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.serviceUnavailable, 503, message, { retryable: true }), { cause: error });
    }
  };
  // No queue group: every replica hears every report and judges the same traffic.
  const outcomeSubscription = connection.subscribe(subjects.endpointOutcomes, {
    callback: (error, message) => {
      if (error) return;
      // Traced as the CONSUMER of the connector's report, so the attempts it reports lead here (issue 12).
      const span = startMessagingSpan({
        kind: SpanKind.CONSUMER,
        operationType: messagingOperationTypes.process,
        operationName: "process",
        subject: subjects.endpointOutcomes,
        ...(isTracing() ? { parent: extractTraceContext(message.headers) } : {}),
      });
      try {
        const parsed = endpointOutcomeReportSchema.safeParse(safeJson(message.string()));
        if (!parsed.success) {
          markSpanFailed(span, "invalid");
          logger.warn({ issues: parsed.error.issues.slice(0, 3) }, "outcome report does not parse; ignored");
          return;
        }
        const now = Date.now();
        for (const endpoint of parsed.data.endpoints) tracker.record(endpoint, now);
        healthPublisher.evaluate();
      } finally {
        span.end();
      }
    },
  });

  const service = await serveEndpoints(connection, {
    name: serviceNames.router,
    version: "0.1.0",
    description: "Chooses the endpoints that may serve a request, best first",
    queue: subjects.queueGroup(serviceNames.router),
    logger,
    dependency: { name: "database", isUnavailable: isDatabaseUnavailable },
    endpoints: [
      defineEndpoint({
        subject: subjects.routerRoute,
        requestSchema: routeRequestSchema,
        handler: async (request) =>
          selectRoute(current.table, request, { health: healthPublisher.publishedHealth, ...(dependencies.random ? { random: dependencies.random } : {}) }),
      }),
      defineEndpoint({
        subject: subjects.routerListModels,
        requestSchema: listModelsRequestSchema,
        handler: async () => ({ data: current.listings, links: { next: null }, total_count: current.listings.length }),
      }),
      defineEndpoint({
        subject: subjects.routerGetCatalog,
        requestSchema: z.strictObject({}),
        handler: async () => ({ data: describeEffectiveCatalog(await loadEffectiveCatalog(database, seed, { store: false })) }),
      }),
      defineEndpoint({
        subject: subjects.routerPutCatalogEntry,
        requestSchema: putCatalogEntryRequestSchema,
        handler: async (request) => {
          const { created } = await putCatalogEntry(database, seed, request);
          const { kind, id } = catalogEntryOf(request.target);
          logger.info({ kind, id, created, actor: request.caller.actor, requestId: request.caller.requestId }, "catalog entry put");
          const effective = await publishChange();
          return { created, revision: effective.revision, data: describeCatalogEntry(effective, kind, id) };
        },
      }),
      defineEndpoint({
        subject: subjects.routerSetCatalogEntryDisabled,
        requestSchema: setCatalogEntryDisabledRequestSchema,
        handler: async (request) => {
          await setCatalogEntryDisabled(database, seed, request);
          const { kind, id } = catalogEntryOf(request.target);
          logger.info({ kind, id, disabled: request.disabled, actor: request.caller.actor, requestId: request.caller.requestId }, "catalog entry disabled flag set");
          const effective = await publishChange();
          return { created: false, revision: effective.revision, data: describeCatalogEntry(effective, kind, id) };
        },
      }),
    ],
  });
  return {
    revision,
    async stop() {
      // First, so nothing in flight (a reload, a health write) publishes over a router started after this one.
      stopped = true;
      clearInterval(catalogCheck);
      await service.stop();
      outcomeSubscription.unsubscribe();
      routingWatch.stop();
      healthPublisher.stop();
      await reconciliation.stop();
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
