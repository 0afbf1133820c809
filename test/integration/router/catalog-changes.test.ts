import { parseUsdPerTokenToPicos, SwitchboardError, type AdminCaller } from "@switchboard/contracts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogFileSchema } from "../../../services/router/src/catalog/catalog-file-schema.js";
import { putCatalogEntry, setCatalogEntryDisabled } from "../../../services/router/src/catalog/change-catalog-entry.js";
import { loadEffectiveCatalog } from "../../../services/router/src/catalog/load-effective-catalog.js";
import { defaultCatalogLockWaitMs } from "../../../services/router/src/catalog/store-catalog.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";

const policy = { training: false, retains_prompts: false, zdr: false };
const seed = catalogFileSchema.parse({
  providers: [
    { id: "alpha", name: "Alpha", api: "openai", base_url: "http://alpha.test/v1", data_policy: policy },
    { id: "beta", name: "Beta", api: "openai", base_url: "http://beta.test/v1", data_policy: policy },
  ],
  models: [
    {
      id: "acme/one",
      name: "One",
      context_length: 1000,
      endpoints: [
        { provider: "alpha", upstream_model: "one-a", pricing: { prompt: "0.000001", completion: "0.000001" } },
        { provider: "beta", upstream_model: "one-b", pricing: { prompt: "0.000002", completion: "0.000002" } },
      ],
    },
  ],
});
const caller: AdminCaller = { actor: "admin-key:0123abcd", clientAddress: "127.0.0.1", requestId: "req-1" };
const endpoint = (prompt: string) => ({ upstream_model: "one-a", pricing: { prompt, completion: "0.000001" } });

/** The router's run-time catalog changes on the real PostgreSQL: transactions, the lock, the catalog tables. */
describe("run-time catalog changes in PostgreSQL", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await loadEffectiveCatalog(database.database, seed, { store: true });
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("stores a change with its caller, and the catalog tables follow the effective catalog", async () => {
    const added = await putCatalogEntry(database.database, seed, {
      target: { kind: "model", modelId: "acme/two" },
      document: { name: "Two", context_length: 2000, endpoints: [{ provider: "beta", upstream_model: "two-b", pricing: { prompt: "0.000003", completion: "0.000003" } }] },
      caller,
    });
    expect(added).toEqual({ created: true });
    const row = await database.database.selectFrom("catalog_changes").selectAll().where("id", "=", "acme/two").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: "model", disabled: false, changed_by: "admin-key:0123abcd", request_id: "req-1", document: { id: "acme/two", name: "Two" } });
    const listed = await database.database.selectFrom("endpoints").select(["id", "listed"]).orderBy("id").execute();
    expect(listed).toEqual([
      { id: "acme/one@alpha", listed: true },
      { id: "acme/one@beta", listed: true },
      { id: "acme/two@beta", listed: true },
    ]);

    await setCatalogEntryDisabled(database.database, seed, { target: { kind: "provider", providerId: "beta" }, disabled: true, caller });
    const afterDisable = await database.database.selectFrom("endpoints").select(["id", "listed"]).orderBy("id").execute();
    expect(afterDisable).toEqual([
      { id: "acme/one@alpha", listed: true },
      { id: "acme/one@beta", listed: false },
      { id: "acme/two@beta", listed: false },
    ]);
    const models = await database.database.selectFrom("models").select(["id", "listed"]).orderBy("id").execute();
    expect(models).toEqual([
      { id: "acme/one", listed: true },
      { id: "acme/two", listed: false },
    ]);
    await setCatalogEntryDisabled(database.database, seed, { target: { kind: "provider", providerId: "beta" }, disabled: false, caller });
    const effective = await loadEffectiveCatalog(database.database, seed, { store: false });
    expect(effective.routable.models.map((model) => model.id)).toEqual(["acme/one", "acme/two"]);
  });

  it("refuses a change that breaks the catalog without storing anything", async () => {
    const before = await loadEffectiveCatalog(database.database, seed, { store: false });
    const refused = await putCatalogEntry(database.database, seed, {
      target: { kind: "model", modelId: "acme/three" },
      document: { name: "Three", context_length: 10, endpoints: [{ provider: "gamma", upstream_model: "x", pricing: { prompt: "0", completion: "0" } }] },
      caller,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SwitchboardError);
    expect((refused as SwitchboardError).error).toMatchObject({ status: 400, metadata: { issues: [{ path: "endpoints.0.provider", message: 'unknown provider "gamma"' }] } });
    const missing = await setCatalogEntryDisabled(database.database, seed, { target: { kind: "model", modelId: "acme/nothing" }, disabled: true, caller }).catch((error: unknown) => error);
    expect((missing as SwitchboardError).error.status).toBe(404);
    expect((await loadEffectiveCatalog(database.database, seed, { store: false })).revision).toBe(before.revision);
  });

  it("refuses a provider naming one of Switchboard's own settings as its key, or a key in its base_url's query, without storing anything", async () => {
    const before = await loadEffectiveCatalog(database.database, seed, { store: false });
    const documents = [
      [{ name: "Alpha", api: "openai", base_url: "https://attacker.test/v1", api_key_env: "NATS_PASSWORD", data_policy: policy }, "api_key_env"],
      [{ name: "Alpha", api: "openai", base_url: "https://attacker.test/v1", api_key_env: "DATABASE_URL", data_policy: policy }, "api_key_env"],
      [{ name: "Alpha", api: "openai", base_url: "https://alpha.test/v1?key=sk-secret", data_policy: policy }, "base_url"],
    ] as const;
    for (const [document, field] of documents) {
      const refused = await putCatalogEntry(database.database, seed, { target: { kind: "provider", providerId: "alpha" }, document, caller }).catch((error: unknown) => error);
      expect((refused as SwitchboardError).error, JSON.stringify(document)).toMatchObject({ status: 400, metadata: { issues: [{ path: field }] } });
    }
    expect((await loadEffectiveCatalog(database.database, seed, { store: false })).revision).toBe(before.revision);
    const stored = await database.database.selectFrom("providers").select(["base_url", "api_key_env"]).where("id", "=", "alpha").executeTakeFirstOrThrow();
    expect(stored).toEqual({ base_url: "http://alpha.test/v1", api_key_env: null });
  });

  it("commits concurrent changes one after another: the last committed price is in effect, in the catalog tables too", async () => {
    const prices = Array.from({ length: 8 }, (_, index) => `0.00000${index + 1}`);
    await Promise.all(
      prices.map((price) => putCatalogEntry(database.database, seed, { target: { kind: "endpoint", modelId: "acme/one", providerId: "alpha" }, document: endpoint(price), caller })),
    );
    // The change committed last (its row, with the highest revision) is what the catalog tables hold: each
    // transaction wrote them from what it read under the lock, so none wrote over a later one's prices.
    const row = await database.database.selectFrom("catalog_changes").selectAll().where("id", "=", "acme/one@alpha").executeTakeFirstOrThrow();
    const lastCommitted = (row.document as { pricing: { prompt: string } }).pricing.prompt;
    expect(prices).toContain(lastCommitted);
    const stored = await database.database.selectFrom("endpoints").select("prompt_price_picos").where("id", "=", "acme/one@alpha").executeTakeFirstOrThrow();
    expect(stored.prompt_price_picos).toBe(Number(parseUsdPerTokenToPicos(lastCommitted)));
    expect(await database.database.selectFrom("catalog_changes").select("revision").where("kind", "=", "endpoint").execute()).toHaveLength(1);
  });

  it("a model's put replaces its endpoints' earlier documents but keeps their disabled flags", async () => {
    await setCatalogEntryDisabled(database.database, seed, { target: { kind: "endpoint", modelId: "acme/one", providerId: "alpha" }, disabled: true, caller });
    const replaced = await putCatalogEntry(database.database, seed, {
      target: { kind: "model", modelId: "acme/one" },
      document: { name: "One again", context_length: 1000, endpoints: [{ provider: "alpha", ...endpoint("0.000009") }, { provider: "beta", ...endpoint("0.000008") }] },
      caller,
    });
    expect(replaced).toEqual({ created: false });
    const row = await database.database.selectFrom("catalog_changes").selectAll().where("id", "=", "acme/one@alpha").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ document: null, disabled: true });
    // A later change to the model's flag must not bring the endpoint's old document back.
    await setCatalogEntryDisabled(database.database, seed, { target: { kind: "model", modelId: "acme/one" }, disabled: false, caller });
    const effective = await loadEffectiveCatalog(database.database, seed, { store: false });
    expect(effective.file.models[0]?.endpoints.map((entry) => `${entry.provider}@${entry.pricing.prompt}`)).toEqual(["alpha@0.000009", "beta@0.000008"]);
    expect(effective.routable.models[0]?.endpoints.map((entry) => entry.provider)).toEqual(["beta"]);
  });

  it("a model's put forgets the disabled flag of an endpoint it drops: putting that endpoint back later brings it back enabled", async () => {
    const model = (providers: string[]) => ({ name: "One", context_length: 1000, endpoints: providers.map((provider) => ({ provider, ...endpoint("0.000001") })) });
    await setCatalogEntryDisabled(database.database, seed, { target: { kind: "endpoint", modelId: "acme/one", providerId: "beta" }, disabled: true, caller });
    await putCatalogEntry(database.database, seed, { target: { kind: "model", modelId: "acme/one" }, document: model(["alpha"]), caller });
    expect(await database.database.selectFrom("catalog_changes").select("id").where("id", "=", "acme/one@beta").execute()).toEqual([]);
    await putCatalogEntry(database.database, seed, { target: { kind: "model", modelId: "acme/one" }, document: model(["alpha", "beta"]), caller });
    const effective = await loadEffectiveCatalog(database.database, seed, { store: false });
    expect(effective.disabled.has("endpoint:acme/one@beta")).toBe(false);
    expect(effective.ignored).toEqual([]);
    expect(effective.routable.models.find((entry) => entry.id === "acme/one")?.endpoints.map((entry) => entry.provider)).toEqual(expect.arrayContaining(["beta"]));
  });

  it("answers a change that waits too long for the catalog lock with a retryable 503, storing nothing", async () => {
    const holder = new pg.Client({ connectionString: database.connectionString });
    await holder.connect();
    try {
      // Another session holds the catalog lock and does not let go (a hung replica, a stuck transaction).
      await holder.query("SELECT pg_advisory_lock(hashtext('switchboard.catalog'))");
      const before = await loadEffectiveCatalog(database.database, seed, { store: false });
      const startedAt = Date.now();
      const refused = await putCatalogEntry(database.database, seed, { target: { kind: "endpoint", modelId: "acme/one", providerId: "alpha" }, document: endpoint("0.000007"), caller }).catch((error: unknown) => error);
      expect((refused as SwitchboardError).error).toMatchObject({ status: 503, retryable: true });
      expect(Date.now() - startedAt).toBeLessThan(defaultCatalogLockWaitMs + 2_000);
      expect((await loadEffectiveCatalog(database.database, seed, { store: false })).revision).toBe(before.revision);
    } finally {
      await holder.end();
    }
  });

  it("stores a large catalog in a few statements: the catalog tables hold every row", async () => {
    const models = Array.from({ length: 300 }, (_, index) => ({
      id: `bulk/model-${index}`,
      name: `Bulk ${index}`,
      context_length: 1000,
      endpoints: [
        { provider: "alpha", upstream_model: `bulk-${index}-a`, pricing: { prompt: "0.000001", completion: "0.000001" } },
        { provider: "beta", upstream_model: `bulk-${index}-b`, pricing: { prompt: `0.00000${(index % 9) + 1}`, completion: "0.000001" } },
      ],
    }));
    const large = catalogFileSchema.parse({ providers: seed.providers, models: [...seed.models, ...models] });
    await loadEffectiveCatalog(database.database, large, { store: true });
    const listed = await database.database.selectFrom("endpoints").select(["id", "prompt_price_picos"]).where("listed", "=", true).where("id", "like", "bulk/%").orderBy("id").execute();
    expect(listed).toHaveLength(600);
    expect(listed.find((row) => row.id === "bulk/model-17@beta")?.prompt_price_picos).toBe(Number(parseUsdPerTokenToPicos("0.000009")));
    // Back to the small seed: the bulk rows stay (old generations refer to them) but are no longer listed.
    await loadEffectiveCatalog(database.database, seed, { store: true });
    const stillListed = await database.database.selectFrom("models").select("id").where("listed", "=", true).where("id", "like", "bulk/%").execute();
    expect(stillListed).toEqual([]);
  });
});
