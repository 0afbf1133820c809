import { describe, expect, it } from "vitest";
import { buildModelListings } from "./build-model-listings.js";
import { buildCatalogSnapshot } from "./catalog/catalog-snapshot.js";
import { parseCatalog } from "./catalog/read-catalog-file.js";

const catalogText = `
providers:
  - { id: cheap, name: Cheap, api: openai, base_url: "http://cheap.test/v1", api_key_env: CHEAP_API_KEY, data_policy: { training: true, retains_prompts: true, retention_days: 30, zdr: false } }
  - { id: middle, name: Middle, api: openai, base_url: "http://middle.test/v1", data_policy: { training: false, retains_prompts: false, zdr: true } }
  - { id: pricey, name: Pricey, api: openai, base_url: "http://pricey.test/v1", api_key_env: PRICEY_API_KEY, data_policy: { training: false, retains_prompts: true, retention_days: 7, zdr: false } }
  - { id: absent, name: Absent, api: openai, base_url: "http://absent.test/v1", api_key_env: ABSENT_API_KEY, data_policy: { training: false, retains_prompts: false, zdr: true } }
  - { id: versioned, name: Versioned, api: anthropic, api_version: "2026-10-21", base_url: "http://versioned.test", data_policy: { training: false, retains_prompts: false, zdr: true } }
models:
  - id: vendor/model-a
    name: "Vendor: Model A"
    context_length: 8000
    endpoints:
      - { provider: pricey, upstream_model: a-pricey, pricing: { prompt: "0.000003", completion: "0.000006" }, supported_parameters: [tools] }
      - { provider: cheap, upstream_model: a-cheap, pricing: { prompt: "0.000001", completion: "0.000002" }, max_completion_tokens: 1000, supported_parameters: [temperature] }
      - { provider: middle, upstream_model: a-middle, pricing: { prompt: "0.000002", completion: "0.000002" } }
  - id: vendor/model-b
    name: "Vendor: Model B"
    context_length: 4000
    endpoints:
      - { provider: absent, upstream_model: b, pricing: { prompt: "0.000001", completion: "0.000001" } }
`;
const environment = { CHEAP_API_KEY: "x", PRICEY_API_KEY: "y" };
const catalog = buildCatalogSnapshot(parseCatalog(catalogText, "test.yaml", environment), (name) => name in environment);

describe("buildCatalogSnapshot: api_version", () => {
  const versionedText = `${catalogText}  - id: vendor/model-v
    name: "Vendor: Model V"
    context_length: 4000
    endpoints:
      - { provider: versioned, upstream_model: v, pricing: { prompt: "0.000001", completion: "0.000001" } }
      - { provider: middle, upstream_model: v-middle, pricing: { prompt: "0.000001", completion: "0.000001" } }
`;

  it("carries the provider's api_version to its endpoints, and none where the provider names none", () => {
    const snapshot = buildCatalogSnapshot(parseCatalog(versionedText, "versioned.yaml", environment), (name) => name in environment);
    const endpoints = snapshot.models.find((model) => model.id === "vendor/model-v")?.endpoints ?? [];
    expect(endpoints[0]).toMatchObject({ endpointId: "vendor/model-v@versioned", apiVersion: "2026-10-21" });
    expect(endpoints[1]).not.toHaveProperty("apiVersion");
  });
});

describe("buildCatalogSnapshot", () => {
  it("keeps endpoints whose key is set, with exact prices and key variable names but no key values", () => {
    const [modelA, modelB] = catalog.models;
    expect(modelA?.endpoints.map((endpoint) => endpoint.endpointId)).toEqual(["vendor/model-a@pricey", "vendor/model-a@cheap", "vendor/model-a@middle"]);
    expect(modelA?.endpoints[1]).toMatchObject({
      upstreamModel: "a-cheap",
      baseUrl: "http://cheap.test/v1",
      apiKeyEnv: "CHEAP_API_KEY",
      price: { promptPicosPerToken: "1000000", completionPicosPerToken: "2000000" },
      maxCompletionTokens: 1000,
    });
    expect(modelB).toMatchObject({ endpoints: [], unconfiguredProviders: [{ providerId: "absent", apiKeyEnv: "ABSENT_API_KEY" }] });
    expect(JSON.stringify(catalog)).not.toMatch(/"x"|"y"/);
  });
});

describe("buildModelListings", () => {
  it("lists usable models in OpenRouter's shape, priced at the cheapest endpoint", () => {
    const listings = buildModelListings(catalog);
    expect(listings.map((listing) => listing.id)).toEqual(["vendor/model-a"]);
    expect(listings[0]).toMatchObject({
      name: "Vendor: Model A",
      context_length: 8000,
      pricing: { prompt: "0.000001", completion: "0.000002" },
      top_provider: { max_completion_tokens: 1000 },
      supported_parameters: ["temperature", "tools"],
      architecture: { input_modalities: ["text"], output_modalities: ["text"] },
    });
  });
});

describe("split prices", () => {
  const splitCatalogText = `
providers:
  - { id: cache, name: Cache, api: anthropic, base_url: "http://cache.test", data_policy: { training: false, retains_prompts: true, zdr: false } }
models:
  - id: vendor/cached
    name: "Vendor: Cached"
    context_length: 200000
    endpoints:
      - provider: cache
        upstream_model: cached
        pricing: { prompt: "0.000003", completion: "0.000015", input_cache_read: "0.0000003", input_cache_write: "0.00000375", internal_reasoning: "0.00002", request: "0.005", image: "0.001" }
  - id: vendor/plain
    name: "Vendor: Plain"
    context_length: 8000
    endpoints:
      - { provider: cache, upstream_model: plain, pricing: { prompt: "0.000001", completion: "0.000002" } }
`;
  const splitCatalog = buildCatalogSnapshot(parseCatalog(splitCatalogText, "split.yaml", {}), () => true);

  it("carries the catalog's cache-read, cache-write, reasoning, request and image prices into the routing snapshot, as pico-dollars", () => {
    const [cached, plain] = splitCatalog.models;
    expect(cached?.endpoints[0]?.price).toEqual({
      promptPicosPerToken: "3000000",
      completionPicosPerToken: "15000000",
      cacheReadPicosPerToken: "300000",
      cacheWritePicosPerToken: "3750000",
      reasoningPicosPerToken: "20000000",
      requestPicos: "5000000000",
      imagePicos: "1000000000",
    });
    // No price of its own: the part stays absent and computeCostMicros falls back.
    expect(plain?.endpoints[0]?.price).toEqual({ promptPicosPerToken: "1000000", completionPicosPerToken: "2000000" });
  });

  it("lists them under OpenRouter's names, and the fallbacks where the catalog gives none", () => {
    const [cached, plain] = buildModelListings(splitCatalog);
    expect(cached?.pricing).toEqual({
      prompt: "0.000003",
      completion: "0.000015",
      request: "0.005",
      image: "0.001",
      web_search: "0",
      internal_reasoning: "0.00002",
      input_cache_read: "0.0000003",
      input_cache_write: "0.00000375",
    });
    expect(plain?.pricing).toEqual({ prompt: "0.000001", completion: "0.000002", request: "0", image: "0", web_search: "0", internal_reasoning: "0.000002" });
  });

  it("refuses a price that is not a USD decimal", () => {
    const text = splitCatalogText.replace('input_cache_read: "0.0000003"', 'input_cache_read: "cheap"');
    expect(() => parseCatalog(text, "bad.yaml", {})).toThrow(/pricing\.input_cache_read/);
  });
});

describe("parseCatalog", () => {
  it("reports every problem with its path", () => {
    const text = `providers:\n  - { id: p, name: P, api: openai, base_url: "not a url", data_policy: { training: false, retains_prompts: false, zdr: false } }\nmodels:\n  - { id: a/b, name: B, context_length: 10, endpoints: [ { provider: q, upstream_model: b, pricing: { prompt: "abc", completion: "0" } } ] }\n`;
    expect(() => parseCatalog(text, "bad.yaml", {})).toThrow(/providers\.0\.base_url[\s\S]*models\.0\.endpoints\.0\.pricing\.prompt[\s\S]*unknown provider "q"/);
  });

  it("expands environment references with defaults", () => {
    const text = `providers:\n  - { id: demo, name: Demo, api: openai, base_url: "\${DEMO_URL:-http://127.0.0.1:1/v1}", data_policy: { training: false, retains_prompts: false, zdr: true } }\nmodels:\n  - { id: a/b, name: B, context_length: 10, endpoints: [ { provider: demo, upstream_model: b, pricing: { prompt: "0", completion: "0" } } ] }\n`;
    expect(parseCatalog(text, "x.yaml", {}).providers[0]?.base_url).toBe("http://127.0.0.1:1/v1");
    expect(parseCatalog(text, "x.yaml", { DEMO_URL: "http://demo:9/v1" }).providers[0]?.base_url).toBe("http://demo:9/v1");
  });
});
