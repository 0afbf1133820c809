import { describe, expect, it } from "vitest";
import { applyCatalogChanges, type CatalogChange } from "./apply-catalog-changes.js";
import { catalogFileSchema, type CatalogFile } from "./catalog-file-schema.js";

const policy = { training: false, retains_prompts: false, zdr: false };
const seed: CatalogFile = catalogFileSchema.parse({
  providers: [
    { id: "alpha", name: "Alpha", api: "openai", base_url: "http://alpha.test/v1", data_policy: policy },
    { id: "beta", name: "Beta", api: "openai", base_url: "http://beta.test/v1", data_policy: policy },
  ],
  models: [
    {
      id: "vendor/one",
      name: "One",
      context_length: 4096,
      endpoints: [
        { provider: "alpha", upstream_model: "one-a", pricing: { prompt: "0.000001", completion: "0.000002" } },
        { provider: "beta", upstream_model: "one-b", pricing: { prompt: "0.000003", completion: "0.000004" } },
      ],
    },
    { id: "vendor/two", name: "Two", context_length: 4096, endpoints: [{ provider: "beta", upstream_model: "two-b", pricing: { prompt: "0.000001", completion: "0.000001" } }] },
  ],
});

let nextRevision = 1;
function change(kind: CatalogChange["kind"], id: string, document: unknown, disabled = false): CatalogChange {
  return { kind, id, document, disabled, revision: nextRevision++, changedAt: new Date(0), changedBy: "admin-key:test" };
}
const gamma = { id: "gamma", name: "Gamma", api: "openai", base_url: "http://gamma.test/v1", api_key_env: "GAMMA_API_KEY", data_policy: policy };
const three = { id: "vendor/three", name: "Three", context_length: 8192, endpoints: [{ provider: "gamma", upstream_model: "three-g", pricing: { prompt: "0.000001", completion: "0.000001" } }] };

/** What routes, as `model: provider@prompt price, …`. */
function routing(file: CatalogFile): Record<string, string[]> {
  return Object.fromEntries(file.models.map((model) => [model.id, model.endpoints.map((endpoint) => `${endpoint.provider}@${endpoint.pricing.prompt}`)]));
}

describe("applyCatalogChanges", () => {
  const seedRouting = { "vendor/one": ["alpha@0.000001", "beta@0.000003"], "vendor/two": ["beta@0.000001"] };
  const cases: { name: string; changes: CatalogChange[]; routes: Record<string, string[]>; providers?: string[]; ignored?: string[] }[] = [
    { name: "no change: the seed", changes: [], routes: seedRouting, providers: ["alpha", "beta"] },
    {
      name: "adds a provider and a model served by it",
      changes: [change("provider", "gamma", gamma), change("model", "vendor/three", three)],
      routes: { ...seedRouting, "vendor/three": ["gamma@0.000001"] },
      providers: ["alpha", "beta", "gamma"],
    },
    {
      name: "a model naming a provider added later still applies: providers go first",
      changes: [change("model", "vendor/three", three), change("provider", "gamma", gamma)],
      routes: { ...seedRouting, "vendor/three": ["gamma@0.000001"] },
    },
    {
      name: "replaces an endpoint's price in place",
      changes: [change("endpoint", "vendor/one@beta", { provider: "beta", upstream_model: "one-b", pricing: { prompt: "0.0000001", completion: "0.0000001" } })],
      routes: { ...seedRouting, "vendor/one": ["alpha@0.000001", "beta@0.0000001"] },
    },
    {
      name: "adds an endpoint to a seed model",
      changes: [change("endpoint", "vendor/two@alpha", { provider: "alpha", upstream_model: "two-a", pricing: { prompt: "0.000002", completion: 0.000002 } })],
      routes: { ...seedRouting, "vendor/two": ["beta@0.000001", "alpha@0.000002"] },
    },
    {
      name: "replaces a model with its endpoints",
      changes: [change("model", "vendor/one", { id: "vendor/one", name: "One v2", context_length: 4096, endpoints: [{ provider: "beta", upstream_model: "one-b2", pricing: { prompt: "0.000005", completion: "0" } }] })],
      routes: { ...seedRouting, "vendor/one": ["beta@0.000005"] },
    },
    { name: "disables an endpoint", changes: [change("endpoint", "vendor/one@alpha", null, true)], routes: { ...seedRouting, "vendor/one": ["beta@0.000003"] } },
    { name: "enabling again brings it back", changes: [change("endpoint", "vendor/one@alpha", null, false)], routes: seedRouting },
    { name: "disables a model", changes: [change("model", "vendor/two", null, true)], routes: { "vendor/one": seedRouting["vendor/one"] } },
    {
      name: "a disabled provider leaves every model it served; a model left without endpoints is out",
      changes: [change("provider", "beta", null, true)],
      routes: { "vendor/one": ["alpha@0.000001"] },
      providers: ["alpha"],
    },
    {
      name: "a disabled endpoint whose document changed stays disabled",
      changes: [change("endpoint", "vendor/one@alpha", { provider: "alpha", upstream_model: "x", pricing: { prompt: "1", completion: "1" } }, true)],
      routes: { ...seedRouting, "vendor/one": ["beta@0.000003"] },
    },
    {
      name: "refuses an endpoint naming an unknown provider, keeps the rest",
      changes: [change("endpoint", "vendor/one@nowhere", { provider: "nowhere", upstream_model: "x", pricing: { prompt: "0", completion: "0" } }), change("model", "vendor/two", null, true)],
      routes: { "vendor/one": seedRouting["vendor/one"] },
      ignored: ['endpoint vendor/one@nowhere provider: unknown provider "nowhere"'],
    },
    {
      name: "refuses a model naming an unknown provider",
      changes: [change("model", "vendor/three", three)],
      routes: seedRouting,
      ignored: ['model vendor/three endpoints.0.provider: unknown provider "gamma"'],
    },
    {
      name: "refuses an endpoint of a model the catalog does not have",
      changes: [change("endpoint", "vendor/gone@alpha", { provider: "alpha", upstream_model: "x", pricing: { prompt: "0", completion: "0" } })],
      routes: seedRouting,
      ignored: ['endpoint vendor/gone@alpha : the catalog has no model "vendor/gone"'],
    },
    {
      name: "refuses a document whose id is not the entry's",
      changes: [change("provider", "gamma", { ...gamma, id: "delta" })],
      routes: seedRouting,
      ignored: ['provider gamma id: must be "gamma", the provider the change is for'],
    },
    {
      name: "refuses a document that does not match the file schema, naming the field",
      changes: [change("endpoint", "vendor/one@alpha", { provider: "alpha", upstream_model: "x", pricing: { prompt: "cheap", completion: "0" } })],
      routes: seedRouting,
      ignored: ['endpoint vendor/one@alpha pricing.prompt: a USD-per-token decimal string with at most 12 decimal places, e.g. "0.00000015"'],
    },
    {
      name: "refuses a provider carrying a key instead of naming its variable",
      changes: [change("provider", "gamma", { ...gamma, api_key: "sk-secret" })],
      routes: seedRouting,
      ignored: ['provider gamma : Unrecognized key: "api_key"'],
    },
    {
      name: "refuses a provider whose base_url carries credentials",
      changes: [change("provider", "gamma", { ...gamma, base_url: "https://user:sk-secret@gamma.test/v1" })],
      routes: seedRouting,
      ignored: ["provider gamma base_url: must not carry credentials (user:password@); name the key's variable in api_key_env"],
    },
    {
      name: "ignores disabling an entry the catalog does not have",
      changes: [change("model", "vendor/gone", null, true)],
      routes: seedRouting,
      ignored: ['model vendor/gone : disabled, but the catalog has no model "vendor/gone"'],
    },
  ];

  it.each(cases)("$name", ({ changes, routes, providers, ignored }) => {
    const effective = applyCatalogChanges(seed, changes);
    expect(routing(effective.routable)).toEqual(routes);
    if (providers) expect(effective.routable.providers.map((provider) => provider.id)).toEqual(providers);
    expect(effective.ignored.flatMap((entry) => entry.issues.map((issue) => `${entry.kind} ${entry.id} ${issue.path.join(".")}: ${issue.message}`))).toEqual(ignored ?? []);
    expect(effective.revision).toBe(changes.reduce((newest, entry) => Math.max(newest, entry.revision), 0));
  });

  it("keeps every entry in `file`, disabled ones included, and marks which documents are run-time", () => {
    const effective = applyCatalogChanges(seed, [change("model", "vendor/two", null, true), change("provider", "gamma", gamma), change("model", "vendor/three", three)]);
    expect(effective.file.models.map((model) => model.id)).toEqual(["vendor/one", "vendor/two", "vendor/three"]);
    expect([...effective.disabled]).toEqual(["model:vendor/two"]);
    expect([...effective.runtime].sort()).toEqual(["endpoint:vendor/three@gamma", "model:vendor/three", "provider:gamma"]);
  });

  it("lets seed edits reach entries without a run-time document, not those with one", () => {
    const changes = [change("endpoint", "vendor/one@beta", { provider: "beta", upstream_model: "one-b", pricing: { prompt: "0.0000002", completion: "0" } }), change("model", "vendor/two", null, true)];
    const editedSeed: CatalogFile = {
      ...seed,
      models: seed.models.map((model) => ({ ...model, name: `${model.name} (edited)`, endpoints: model.endpoints.map((endpoint) => ({ ...endpoint, upstream_model: `${endpoint.upstream_model}-edited` })) })),
    };
    const effective = applyCatalogChanges(editedSeed, changes);
    expect(effective.file.models.map((model) => model.name)).toEqual(["One (edited)", "Two (edited)"]);
    expect(effective.file.models[0]?.endpoints.map((endpoint) => endpoint.upstream_model)).toEqual(["one-a-edited", "one-b"]);
    expect(effective.disabled.has("model:vendor/two")).toBe(true);
  });
});
