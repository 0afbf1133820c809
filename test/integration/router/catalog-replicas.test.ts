import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { catalogEntryChangeReplySchema, createSubjects, listModelsReplySchema, routingSnapshotSchema, type RoutingSnapshot } from "@switchboard/contracts";
import { openRoutingBucket, publishRoutingSnapshot, requestReply } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRouter } from "../../../services/router/src/start-router.js";
import { deleteRoutingBucket } from "../../support/routing-snapshot.js";
import { testLogger } from "../../support/silent-logger.js";
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
const caller = { actor: "admin-key:0123abcd", clientAddress: null, requestId: null };

/**
 * Issue 9, several router replicas: a snapshot written without a run-time change the router has (a replica
 * that had not reloaded yet) is put back with the newer catalog; a newer one makes the router reload.
 */
describe("router replicas and run-time catalog changes", () => {
  let database: TestDatabase;
  let connection: NatsConnection;
  let router: { stop(): Promise<void> };
  const subjects = createSubjects(uniqueNamespace());

  const current = async (): Promise<{ revision: number; snapshot: RoutingSnapshot }> => {
    const entry = await (await openRoutingBucket(connection, subjects)).get(subjects.routingSnapshotKey);
    return { revision: entry?.revision ?? 0, snapshot: routingSnapshotSchema.parse(entry?.json()) };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    connection = await connectTestNats();
    const directory = await mkdtemp(join(tmpdir(), "switchboard-router-"));
    await writeFile(join(directory, "catalog.yaml"), catalog);
    router = await startRouter({ connection, database: database.database, subjects, logger: testLogger("router"), catalogPath: join(directory, "catalog.yaml"), environment: {} });
  });

  afterAll(async () => {
    await router?.stop();
    if (connection) await deleteRoutingBucket(connection, subjects);
    await connection?.close();
    await database?.drop();
  });

  it("publishes a change with its catalog revision, and puts it back over a snapshot without it", async () => {
    const changed = await requestReply(
      connection,
      subjects.routerPutCatalogEntry,
      { target: { kind: "model", modelId: "acme/two" }, document: { name: "Two", context_length: 10, endpoints: [{ provider: "alpha", upstream_model: "two-a", pricing: { prompt: "0", completion: "0" } }] }, caller },
      catalogEntryChangeReplySchema,
    );
    expect(changed.created).toBe(true);
    const published = await current();
    expect(published.snapshot.catalogRevision).toBe(changed.revision);
    expect(published.snapshot.models.map((model) => model.id)).toEqual(["acme/one", "acme/two"]);

    // A replica that has not seen the change writes its older catalog, as its health publisher would.
    const stale = await publishRoutingSnapshot(connection, subjects, { ...published.snapshot, models: published.snapshot.models.slice(0, 1), catalogRevision: 0 });
    const since = Date.now();
    for (;;) {
      const now = await current();
      if (now.revision > stale) {
        expect(now.snapshot.catalogRevision).toBe(changed.revision);
        expect(now.snapshot.models.map((model) => model.id)).toEqual(["acme/one", "acme/two"]);
        break;
      }
      expect(Date.now() - since, "the newer catalog was not put back").toBeLessThan(2_000);
      await sleep(20);
    }
  });

  it("reloads from PostgreSQL when a snapshot carries a newer catalog, and then keeps it", async () => {
    // Another replica committed a change (straight into the table here) and published it.
    await database.database
      .insertInto("catalog_changes")
      .values({ kind: "endpoint", id: "acme/one@alpha", document: null, disabled: true, changed_by: "admin-key:other", request_id: null })
      .execute();
    const newest = await database.database.selectFrom("catalog_changes").select((builder) => builder.fn.max("revision").as("revision")).executeTakeFirstOrThrow();
    const before = await current();
    await publishRoutingSnapshot(connection, subjects, { ...before.snapshot, models: before.snapshot.models.slice(1), catalogRevision: Number(newest.revision) });
    // What the router answers gets the change (polled: it reloads from PostgreSQL first)...
    const listed = async () => (await requestReply(connection, subjects.routerListModels, {}, listModelsReplySchema)).data.map((model) => model.id);
    await waitFor(async () => ((await listed()).length === 1 ? true : undefined), 3_000, "the router to reload");
    expect(await listed()).toEqual(["acme/two"]);
    // ...and once it has, it does not put its older catalog back: anything it writes now carries the change.
    await publishRoutingSnapshot(connection, subjects, { ...before.snapshot, catalogRevision: 0 });
    const putBack = await waitFor(async () => {
      const now = await current();
      return now.snapshot.catalogRevision !== 0 ? now : undefined;
    }, 3_000, "the router to put its catalog back over a stale snapshot");
    expect(putBack.snapshot.catalogRevision).toBe(Number(newest.revision));
    expect(putBack.snapshot.models.map((model) => model.id)).toEqual(["acme/two"]);
  });
});
