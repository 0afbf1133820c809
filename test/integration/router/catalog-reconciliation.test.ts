import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { catalogEntryChangeReplySchema, createSubjects, endpointOutcomeReportSchema, listModelsReplySchema, routingSnapshotSchema, type RoutingSnapshot, type Subjects } from "@switchboard/contracts";
import { openRoutingBucket, publishRoutingSnapshot, requestReply } from "@switchboard/messaging";
import { sql } from "kysely";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catalogFileSchema } from "../../../services/router/src/catalog/catalog-file-schema.js";
import { loadEffectiveCatalog } from "../../../services/router/src/catalog/load-effective-catalog.js";
import { defaultHealthPolicy } from "../../../services/router/src/health/endpoint-health-tracker.js";
import { startRouter } from "../../../services/router/src/start-router.js";
import { deleteRoutingBucket } from "../../support/routing-snapshot.js";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { waitFor } from "../../support/wait-for.js";

const catalog = `
providers:
  - { id: alpha, name: Alpha, api: openai, base_url: "http://alpha.test/v1", data_policy: { training: false, retains_prompts: false, zdr: false } }
models:
  - id: acme/one
    name: "Acme: One"
    context_length: 1000
    endpoints:
      - { provider: alpha, upstream_model: one-a, pricing: { prompt: "0.000001", completion: "0.000002" } }
`;
const seed = catalogFileSchema.parse({
  providers: [{ id: "alpha", name: "Alpha", api: "openai", base_url: "http://alpha.test/v1", data_policy: { training: false, retains_prompts: false, zdr: false } }],
  models: [{ id: "acme/one", name: "Acme: One", context_length: 1000, endpoints: [{ provider: "alpha", upstream_model: "one-a", pricing: { prompt: "0.000001", completion: "0.000002" } }] }],
});
const caller = { actor: "admin-key:0123abcd", clientAddress: null, requestId: null };
const twoDocument = { id: "acme/two", name: "Two", context_length: 10, endpoints: [{ provider: "alpha", upstream_model: "two-a", pricing: { prompt: "0", completion: "0" } }] };
/** A connector's report of one failed attempt at the endpoint. */
function failureReport(endpointId: string): string {
  const counts = { ok: 0, rate_limited: 0, server_error: 1, timeout: 0, connect_error: 0, client_error: 0 };
  return JSON.stringify(
    endpointOutcomeReportSchema.parse({ version: 1, sentAt: new Date().toISOString(), endpoints: [{ endpointId, counts, trailingFailures: 1, timeToFirstTokenMilliseconds: [], outputTokensPerSecond: [] }] }),
  );
}
/** Long enough that no periodic PostgreSQL check heals what a test is about. */
const noPeriodicCheck = 600_000;

/**
 * Issue 9 review, items 2 to 4 and 15: a router replica reaches the newest catalog by itself whatever
 * fails or races: a reload that failed, a change committed while it started, a change stored but never
 * published; and a stopped router does nothing more.
 */
describe("router catalog reconciliation", () => {
  let database: TestDatabase;
  let connection: NatsConnection;
  let subjects: Subjects;
  let catalogPath: string;
  const routers: { stop(): Promise<void> }[] = [];

  const start = async (options: { catalogCheckIntervalMs: number; capture?: LogCapture }) => {
    const router = await startRouter({ connection, database: database.database, subjects, logger: testLogger("router", options.capture), catalogPath, environment: {}, catalogCheckIntervalMs: options.catalogCheckIntervalMs });
    routers.push(router);
    return router;
  };
  const bucketSnapshot = async (): Promise<{ revision: number; snapshot: RoutingSnapshot }> => {
    const entry = await (await openRoutingBucket(connection, subjects)).get(subjects.routingSnapshotKey);
    return { revision: entry?.revision ?? 0, snapshot: routingSnapshotSchema.parse(entry?.json()) };
  };
  const listedModels = async () => (await requestReply(connection, subjects.routerListModels, {}, listModelsReplySchema)).data.map((model) => model.id);
  /** Stores a run-time change the way another replica would have committed it; its revision. */
  const storeChangeDirectly = async (table = "catalog_changes") => {
    const client = new pg.Client({ connectionString: database.connectionString });
    await client.connect();
    try {
      const inserted = await client.query<{ revision: string }>(
        `INSERT INTO ${table} (kind, id, document, disabled, changed_by) VALUES ('model', 'acme/two', $1, false, 'admin-key:other') RETURNING revision`,
        [JSON.stringify(twoDocument)],
      );
      return Number(inserted.rows[0]?.revision);
    } finally {
      await client.end();
    }
  };
  /** What another replica publishes after its change: the snapshot names the change's catalog revision. */
  const publishAsOtherReplica = (catalogRevision: number) => {
    const now = new Date().toISOString();
    return publishRoutingSnapshot(connection, subjects, { version: 2, loadedAt: now, publishedAt: now, models: [], health: {}, catalogRevision });
  };

  beforeEach(async () => {
    database = await createTestDatabase();
    connection = await connectTestNats();
    subjects = createSubjects(uniqueNamespace());
    const directory = await mkdtemp(join(tmpdir(), "switchboard-router-"));
    catalogPath = join(directory, "catalog.yaml");
    await writeFile(catalogPath, catalog);
  });

  afterEach(async () => {
    for (const router of routers.splice(0)) await router.stop();
    if (connection) await deleteRoutingBucket(connection, subjects);
    await connection?.close();
    await database?.drop();
  });

  it("tries a reload that failed (PostgreSQL unusable) again until it succeeds, without waiting for another snapshot", async () => {
    const capture: LogCapture = { lines: [] };
    await start({ catalogCheckIntervalMs: noPeriodicCheck, capture });
    // The reload fails as long as the table is away; the other replica's change is stored in it meanwhile.
    await database.database.schema.alterTable("catalog_changes").renameTo("catalog_changes_away").execute();
    const changed = await storeChangeDirectly("catalog_changes_away");
    await publishAsOtherReplica(changed);
    await waitFor(async () => (capture.lines.some((line) => line.includes('"level":40') && line.includes("catalog_changes")) ? true : undefined), 5_000, "the failed reload");
    await database.database.schema.alterTable("catalog_changes_away").renameTo("catalog_changes").execute();
    await waitFor(async () => ((await listedModels()).includes("acme/two") ? true : undefined), 5_000, "the router to reload by itself");
    expect(await listedModels()).toEqual(["acme/one", "acme/two"]);
    expect((await bucketSnapshot()).snapshot.catalogRevision).toBe(changed);
  });

  it("publishes a change stored but never published (its replica died first) within seconds", async () => {
    await start({ catalogCheckIntervalMs: 100 });
    const changed = await storeChangeDirectly();
    const published = await waitFor(async () => {
      const { snapshot } = await bucketSnapshot();
      return snapshot.catalogRevision === changed ? snapshot : undefined;
    }, 3_000, "the stored change in the routing snapshot");
    expect(published.models.map((model) => model.id)).toEqual(["acme/one", "acme/two"]);
    expect(await listedModels()).toEqual(["acme/one", "acme/two"]);
  });

  it("does not revert a change another replica committed and published while this one was starting", async () => {
    await loadEffectiveCatalog(database.database, seed, { store: true });
    // Hold the provider's row: the starting router has read the stored changes (none) and waits to store.
    const holder = new pg.Client({ connectionString: database.connectionString });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT id FROM providers WHERE id = 'alpha' FOR UPDATE");
      const starting = start({ catalogCheckIntervalMs: noPeriodicCheck });
      await waitFor(async () => {
        const waiting = await holder.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        return waiting.rowCount !== null && waiting.rowCount > 0 ? true : undefined;
      }, 5_000, "the starting router to wait for the row");
      const changed = await storeChangeDirectly();
      await publishAsOtherReplica(changed);
      await holder.query("COMMIT");
      await starting;
      const { snapshot } = await bucketSnapshot();
      expect(snapshot.catalogRevision).toBe(changed);
      expect(snapshot.models.map((model) => model.id)).toEqual(["acme/one", "acme/two"]);
      expect(await listedModels()).toEqual(["acme/one", "acme/two"]);
    } finally {
      await holder.end();
    }
  });

  it("stop() waits for a reload in progress, and nothing is published after it", async () => {
    const router = await start({ catalogCheckIntervalMs: noPeriodicCheck });
    const holder = new pg.Client({ connectionString: database.connectionString });
    await holder.connect();
    try {
      const changed = await storeChangeDirectly();
      // The reload this snapshot asks for waits on the table lock.
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE catalog_changes IN ACCESS EXCLUSIVE MODE");
      await publishAsOtherReplica(changed);
      await waitFor(async () => {
        const waiting = await holder.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        return waiting.rowCount !== null && waiting.rowCount > 0 ? true : undefined;
      }, 5_000, "the reload to wait for the lock");
      let stopped = false;
      const stopping = router.stop().then(() => (stopped = true));
      await sleep(200);
      expect(stopped, "stop() returned while a reload was still running").toBe(false);
      await holder.query("COMMIT");
      await stopping;
      const after = await bucketSnapshot();
      await sleep(300);
      expect((await bucketSnapshot()).revision).toBe(after.revision);
    } finally {
      await holder.end();
    }
  });

  it("publishes an admin change over the snapshot in the bucket, keeping the health published just before", async () => {
    const router = await startRouter({
      connection,
      database: database.database,
      subjects,
      logger: testLogger("router"),
      catalogPath,
      environment: {},
      catalogCheckIntervalMs: noPeriodicCheck,
      healthPolicy: { ...defaultHealthPolicy, consecutiveFailuresToEject: 1, firstEjection: 60_000, maximumEjection: 60_000 },
    });
    routers.push(router);
    connection.publish(subjects.endpointOutcomes, failureReport("acme/one@alpha"));
    // The change goes out at once after the ejection is in the bucket: it is written over that snapshot, with its health.
    await waitFor(async () => ((await bucketSnapshot()).snapshot.health?.["acme/one@alpha"]?.status === "ejected" ? true : undefined), 3_000, "the ejection");
    const changed = await requestReply(connection, subjects.routerPutCatalogEntry, { target: { kind: "model", modelId: "acme/two" }, document: twoDocument, caller }, catalogEntryChangeReplySchema);
    const { snapshot } = await bucketSnapshot();
    expect(snapshot.catalogRevision).toBe(changed.revision);
    expect(snapshot.models.map((model) => model.id)).toEqual(["acme/one", "acme/two"]);
    expect(snapshot.health?.["acme/one@alpha"]?.status).toBe("ejected");
  });

  it("stops publishing the health of an endpoint taken out of the catalog", async () => {
    const router = await startRouter({
      connection,
      database: database.database,
      subjects,
      logger: testLogger("router"),
      catalogPath,
      environment: {},
      catalogCheckIntervalMs: noPeriodicCheck,
      healthPolicy: { ...defaultHealthPolicy, consecutiveFailuresToEject: 1, firstEjection: 60_000, maximumEjection: 60_000 },
    });
    routers.push(router);
    connection.publish(subjects.endpointOutcomes, failureReport("acme/one@alpha"));
    await waitFor(async () => ((await bucketSnapshot()).snapshot.health?.["acme/one@alpha"]?.status === "ejected" ? true : undefined), 3_000, "the ejection");
    await requestReply(connection, subjects.routerSetCatalogEntryDisabled, { target: { kind: "endpoint", modelId: "acme/one", providerId: "alpha" }, disabled: true, caller }, catalogEntryChangeReplySchema);
    expect((await bucketSnapshot()).snapshot.health).toEqual({});
    // A report for it (a connector still on the old catalog) puts nothing back, and writes nothing.
    const revision = (await bucketSnapshot()).revision;
    connection.publish(subjects.endpointOutcomes, failureReport("acme/one@alpha"));
    await connection.flush();
    await sleep(300);
    expect(await bucketSnapshot()).toMatchObject({ revision, snapshot: { health: {} } });
  });

  it("warns when another replica publishes the same catalog revision from a different catalog file", async () => {
    const capture: LogCapture = { lines: [] };
    await start({ catalogCheckIntervalMs: noPeriodicCheck, capture });
    const own = (await bucketSnapshot()).snapshot;
    expect(own.seedDigest).toMatch(/^[0-9a-f]{16}$/);
    await publishRoutingSnapshot(connection, subjects, { ...own, publishedAt: new Date().toISOString(), seedDigest: "0123456789abcdef" });
    await waitFor(async () => (capture.lines.some((line) => line.includes('"level":40') && line.includes("different catalog file")) ? true : undefined), 3_000, "the warning");
    expect(capture.lines.filter((line) => line.includes("0123456789abcdef"))).toHaveLength(1);
  });

  it("follows PostgreSQL when its revisions went down (a restored database) rather than putting its stale catalog back", async () => {
    await start({ catalogCheckIntervalMs: noPeriodicCheck });
    await sql`SELECT setval('catalog_change_revisions', 10)`.execute(database.database);
    const first = await storeChangeDirectly();
    await publishAsOtherReplica(first);
    await waitFor(async () => ((await listedModels()).includes("acme/two") ? true : undefined), 3_000, "the first change");
    // The database is restored to a state without that change, and another change lands at a lower revision.
    await sql`DELETE FROM catalog_changes; ALTER SEQUENCE catalog_change_revisions RESTART`.execute(database.database);
    await database.database
      .insertInto("catalog_changes")
      .values({ kind: "endpoint", id: "acme/one@alpha", document: null, disabled: true, changed_by: "admin-key:other", request_id: null })
      .execute();
    expect(first).toBeGreaterThan(1);
    await publishAsOtherReplica(1);
    await waitFor(async () => ((await listedModels()).length === 0 ? true : undefined), 3_000, "the router to follow PostgreSQL");
    const { snapshot } = await bucketSnapshot();
    expect(snapshot.catalogRevision).toBe(1);
  });

  it("lists each model as created when it entered the catalog, not when the router started", async () => {
    await loadEffectiveCatalog(database.database, seed, { store: true });
    const longAgo = new Date("2026-01-01T00:00:00.000Z");
    // As if the model entered the catalog long ago (created_at is never updated by the router).
    await sql`UPDATE models SET created_at = ${longAgo} WHERE id = 'acme/one'`.execute(database.database);
    await start({ catalogCheckIntervalMs: noPeriodicCheck });
    await requestReply(connection, subjects.routerPutCatalogEntry, { target: { kind: "model", modelId: "acme/two" }, document: twoDocument, caller }, catalogEntryChangeReplySchema);
    const added = await database.database.selectFrom("models").select("created_at").where("id", "=", "acme/two").executeTakeFirstOrThrow();
    const listed = (await requestReply(connection, subjects.routerListModels, {}, listModelsReplySchema)).data;
    expect(listed.map((model) => [model.id, model.created])).toEqual([
      ["acme/one", longAgo.getTime() / 1000],
      ["acme/two", Math.floor(added.created_at.getTime() / 1000)],
    ]);
  });
});
