import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { createSubjects, endpointOutcomeReportSchema, listModelsReplySchema, routeReplySchema, routingSnapshotSchema, SwitchboardError } from "@switchboard/contracts";
import { openRoutingBucket, requestReply } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRouter } from "../../../services/router/src/start-router.js";
import { deleteRoutingBucket } from "../../support/routing-snapshot.js";
import { testLogger } from "../../support/silent-logger.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";

const catalog = `
providers:
  - { id: alpha, name: Alpha, api: openai, base_url: "http://alpha.test/v1", api_key_env: ALPHA_API_KEY, data_policy: { training: false, retains_prompts: true, retention_days: 30, zdr: false } }
  - { id: beta, name: Beta, api: openai, base_url: "\${BETA_URL:-http://beta.test/v1}", data_policy: { training: false, retains_prompts: false, zdr: true } }
models:
  - id: acme/one
    name: "Acme: One"
    context_length: 1000
    endpoints:
      - { provider: alpha, upstream_model: one-a, pricing: { prompt: "0.000001", completion: "0.000002" } }
      - { provider: beta, upstream_model: one-b, pricing: { prompt: "0.000002", completion: "0.000003", input_cache_read: "0.0000002", input_cache_write: "0.0000025", internal_reasoning: "0.000004", request: "0.001", image: "0.0005" } }
`;

const alphaKey = "sk-alpha-never-in-a-snapshot";

describe("router service", () => {
  let database: TestDatabase;
  let connection: NatsConnection;
  let router: { stop(): Promise<void>; revision: number };
  let catalogPath = "";
  const subjects = createSubjects(uniqueNamespace());

  beforeAll(async () => {
    database = await createTestDatabase();
    connection = await connectTestNats();
    const directory = await mkdtemp(join(tmpdir(), "switchboard-router-"));
    catalogPath = join(directory, "catalog.yaml");
    await writeFile(catalogPath, catalog);
    router = await startRouter({
      connection,
      database: database.database,
      subjects,
      logger: testLogger("router"),
      catalogPath,
      environment: { ALPHA_API_KEY: alphaKey },
    });
  });

  afterAll(async () => {
    await router?.stop();
    if (connection) await deleteRoutingBucket(connection, subjects);
    await connection?.close();
    await database?.drop();
  });

  it("stores the catalog in PostgreSQL with exact prices", async () => {
    const endpoints = await database.database.selectFrom("endpoints").selectAll().orderBy("id").execute();
    expect(endpoints.map((endpoint) => [endpoint.id, endpoint.prompt_price_picos, endpoint.completion_price_picos])).toEqual([
      ["acme/one@alpha", 1_000_000, 2_000_000],
      ["acme/one@beta", 2_000_000, 3_000_000],
    ]);
    // The split prices, null where the catalog gives none (computeCostMicros falls back).
    const splitPrices = (endpoint: (typeof endpoints)[number]) => [
      endpoint.cache_read_price_picos,
      endpoint.cache_write_price_picos,
      endpoint.reasoning_price_picos,
      endpoint.request_price_picos,
      endpoint.image_price_picos,
    ];
    expect(endpoints.map(splitPrices)).toEqual([
      [null, null, null, null, null],
      [200_000, 2_500_000, 4_000_000, 1_000_000_000, 500_000_000],
    ]);
    const providers = await database.database.selectFrom("providers").select(["id", "base_url", "zdr"]).orderBy("id").execute();
    expect(providers).toEqual([
      { id: "alpha", base_url: "http://alpha.test/v1", zdr: false },
      { id: "beta", base_url: "http://beta.test/v1", zdr: true },
    ]);
  });

  it("publishes the catalog as a routing snapshot in the routing bucket, with key variable names and no key", async () => {
    const entry = await (await openRoutingBucket(connection, subjects)).get(subjects.routingSnapshotKey);
    expect(entry?.revision).toBe(router.revision);
    const snapshot = routingSnapshotSchema.parse(entry?.json());
    // Version 2 carries health (issue 9); nothing is reported yet, so none.
    expect(snapshot.version).toBe(2);
    expect(snapshot.health).toEqual({});
    expect(Date.now() - Date.parse(snapshot.publishedAt)).toBeLessThan(60_000);
    expect(snapshot.models[0]?.endpoints.map((endpoint) => [endpoint.endpointId, endpoint.baseUrl, endpoint.apiKeyEnv, endpoint.upstreamModel])).toEqual([
      ["acme/one@alpha", "http://alpha.test/v1", "ALPHA_API_KEY", "one-a"],
      ["acme/one@beta", "http://beta.test/v1", null, "one-b"],
    ]);
    expect(entry?.string()).not.toContain(alphaKey);
  });

  it("answers route requests over NATS, cheapest first", async () => {
    const reply = await requestReply(connection, subjects.routerRoute, { models: ["acme/one"] }, routeReplySchema);
    expect(reply.candidates.map((candidate) => candidate.providerId)).toEqual(["alpha", "beta"]);
    const zdrOnly = await requestReply(connection, subjects.routerRoute, { models: ["acme/one"], provider: { zdr: true } }, routeReplySchema);
    expect(zdrOnly.candidates.map((candidate) => candidate.providerId)).toEqual(["beta"]);
    expect(zdrOnly.skipped).toEqual([{ endpointId: "acme/one@alpha", modelId: "acme/one", providerId: "alpha", reason: "data_policy:zdr" }]);
    // The whole provider object and a variant cross the wire as ingress sends them (issue 9).
    const limited = await requestReply(
      connection,
      subjects.routerRoute,
      { models: ["acme/one:floor"], provider: { max_price: { prompt: "1", completion: 2 }, require_parameters: true, sort: { by: "price", partition: "none" } }, parameters: [] },
      routeReplySchema,
    );
    expect(limited.candidates.map((candidate) => candidate.providerId)).toEqual(["alpha"]);
    expect(limited.skipped.map((endpoint) => [endpoint.providerId, endpoint.reason])).toEqual([["beta", "max_price"]]);
  });

  it("answers an unknown model with a 400 error reply naming it", async () => {
    const failure = await requestReply(connection, subjects.routerRoute, { models: ["acme/none"] }, routeReplySchema).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SwitchboardError);
    expect((failure as SwitchboardError).error).toMatchObject({ status: 400, code: "model_not_found" });
    expect((failure as SwitchboardError).error.message).toContain("acme/none");
  });

  it("lists models in OpenRouter's shape", async () => {
    const reply = await requestReply(connection, subjects.routerListModels, {}, listModelsReplySchema);
    expect(reply.data).toHaveLength(1);
    expect(reply.data[0]).toMatchObject({ id: "acme/one", pricing: { prompt: "0.000001", completion: "0.000002" } });
  });

  it("ranks route requests with the health it publishes, and keeps an ejection across a restart (issue 9)", async () => {
    const report = endpointOutcomeReportSchema.parse({
      version: 1,
      sentAt: new Date().toISOString(),
      endpoints: [
        {
          endpointId: "acme/one@alpha",
          counts: { ok: 0, rate_limited: 0, server_error: 3, timeout: 0, connect_error: 0, client_error: 0 },
          trailingFailures: 3,
          timeToFirstTokenMilliseconds: [],
          outputTokensPerSecond: [],
        },
      ],
    });
    connection.publish(subjects.endpointOutcomes, JSON.stringify(report));
    const route = async () => (await requestReply(connection, subjects.routerRoute, { models: ["acme/one"] }, routeReplySchema)).candidates.map((candidate) => candidate.providerId);
    const since = Date.now();
    // Three failures in a row eject alpha for 5 s: the cheaper endpoint is then tried last.
    while ((await route())[0] !== "beta") {
      expect(Date.now() - since, "alpha is still first").toBeLessThan(3_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await route()).toEqual(["beta", "alpha"]);

    await router.stop();
    router = await startRouter({ connection, database: database.database, subjects, logger: testLogger("router"), catalogPath, environment: { ALPHA_API_KEY: alphaKey } });
    const snapshot = routingSnapshotSchema.parse((await (await openRoutingBucket(connection, subjects)).get(subjects.routingSnapshotKey))?.json());
    expect(snapshot.health?.["acme/one@alpha"]).toMatchObject({ status: "ejected", ejectionsInRow: 1, requestsLast5Minutes: 3, uptimeLast5Minutes: 0 });
    expect(await route()).toEqual(["beta", "alpha"]);
  });

  it("fails fast with a retryable 503 when no router is running", async () => {
    const startedAt = performance.now();
    const failure = await requestReply(connection, createSubjects(uniqueNamespace()).routerRoute, { models: ["acme/one"] }, routeReplySchema).catch((error: unknown) => error);
    expect((failure as SwitchboardError).error).toMatchObject({ status: 503, retryable: true });
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });
});
