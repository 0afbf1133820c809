import { describe, expect, it } from "vitest";
import { SwitchboardError, type DataPolicy, type EndpointHealth, type RouteCandidate, type RoutingModel } from "@switchboard/contracts";
import { modelAEndpoint } from "./model-a-endpoint.test-support.js";
import { createRoutingTable } from "./routing-table.js";
import { selectRoute } from "./select-route.js";

const policies: Record<string, DataPolicy> = {
  cheap: { training: true, retainsPrompts: true, retentionDays: 30, zdr: false },
  middle: { training: false, retainsPrompts: false, retentionDays: null, zdr: true },
  pricey: { training: false, retainsPrompts: true, retentionDays: 7, zdr: false },
};

/** An endpoint of vendor/model-a with its provider's data policy; prices in picodollars per token. */
function endpoint(providerId: string, prompt: string, completion: string, overrides: Partial<RouteCandidate> = {}): RouteCandidate {
  return modelAEndpoint(providerId, prompt, completion, { dataPolicy: policies[providerId] as DataPolicy, ...overrides });
}

function model(id: string, endpoints: RouteCandidate[], unconfiguredProviders: RoutingModel["unconfiguredProviders"] = []): RoutingModel {
  return { id, name: id, description: "", contextLength: 8000, inputModalities: ["text"], outputModalities: ["text"], endpoints, unconfiguredProviders };
}

// Catalog order is not price order, so the tests show that routing sorts.
const catalog = createRoutingTable({
  models: [
    model("vendor/model-a", [
      endpoint("pricey", "3000000", "6000000", { apiKeyEnv: "PRICEY_KEY", quantization: "fp8", supportedParameters: ["tools"] }),
      endpoint("cheap", "1000000", "2000000", { apiKeyEnv: "CHEAP_KEY", maxCompletionTokens: 1000, supportedParameters: ["temperature"] }),
      endpoint("middle", "2000000", "2000000", { supportedParameters: ["temperature", "tools"] }),
    ]),
    model("vendor/model-b", [], [{ providerId: "absent", apiKeyEnv: "ABSENT_KEY" }]),
    model("vendor/model-c", [
      endpoint("paid", "500000", "500000", { endpointId: "vendor/model-c@paid", modelId: "vendor/model-c", dataPolicy: policies["middle"] as DataPolicy }),
      endpoint("gratis", "0", "0", { endpointId: "vendor/model-c@gratis", modelId: "vendor/model-c", dataPolicy: policies["cheap"] as DataPolicy }),
    ]),
    // A catalog may list a variant as a model of its own; then the id names that model, not a variant.
    model("vendor/model-d:free", [endpoint("pricey", "7", "7", { endpointId: "vendor/model-d:free@pricey", modelId: "vendor/model-d:free" })]),
  ],
});
type Preferences = NonNullable<Parameters<typeof selectRoute>[1]["provider"]>;
const providersOf = (models: string[], provider?: Preferences) =>
  selectRoute(catalog, { models, ...(provider ? { provider } : {}) }).candidates.map((candidate) => candidate.providerId);

/** `provider → reason` for every endpoint routing left out. */
const skippedOf = (models: string[], provider?: Preferences, parameters?: string[]) =>
  Object.fromEntries(
    selectRoute(catalog, { models, ...(provider ? { provider } : {}), ...(parameters ? { parameters } : {}) }).skipped.map((endpoint) => [endpoint.providerId, endpoint.reason]),
  );

function routeError(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof SwitchboardError) return error.error;
    throw error;
  }
  throw new Error("expected a routing error");
}

describe("selectRoute", () => {
  it("orders a model's configured endpoints cheapest first", () => {
    expect(providersOf(["vendor/model-a"])).toEqual(["cheap", "middle", "pricey"]);
    const [first] = selectRoute(catalog, { models: ["vendor/model-a"] }).candidates;
    expect(first).toMatchObject({ upstreamModel: "a-cheap", price: { promptPicosPerToken: "1000000", completionPicosPerToken: "2000000" }, maxCompletionTokens: 1000 });
  });

  it("rejects an unknown model with a 400 naming it", () => {
    const error = routeError(() => selectRoute(catalog, { models: ["nobody/nothing"] }));
    expect(error).toMatchObject({ status: 400, code: "model_not_found" });
    expect(error.message).toContain("nobody/nothing");
  });

  it("quotes an unknown model id on one bounded line, however hostile (issue 6)", () => {
    const hostile = `evil\r\nNats-Service-Error: forged\u0000${"x".repeat(5_000)}`;
    const error = routeError(() => selectRoute(catalog, { models: [hostile] }));
    expect(error.message).toMatch(/^"evil\\r\\nNats-Service-Error: forged\\u0000x+…" is not a valid model ID\./);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message.length).toBeLessThan(200);
    const fallback = routeError(() => selectRoute(catalog, { models: ["vendor/model-b", hostile] }));
    expect(fallback.message).toContain('"evil\\r\\n');
  });

  it("explains which key to set when no provider of a model is configured", () => {
    const error = routeError(() => selectRoute(catalog, { models: ["vendor/model-b"] }));
    expect(error).toMatchObject({ status: 404, code: "no_endpoints" });
    expect(error.message).toContain("ABSENT_KEY");
  });

  it("orders equally priced endpoints by provider id, whatever the catalog order", () => {
    const tied = createRoutingTable({
      models: [model("vendor/model-a", [endpoint("pricey", "1", "1"), endpoint("middle", "1", "1"), endpoint("cheap", "1", "1")])],
    });
    expect(selectRoute(tied, { models: ["vendor/model-a"] }).candidates.map((candidate) => candidate.providerId)).toEqual(["cheap", "middle", "pricey"]);
  });

  it("falls back across models in order, skipping unusable ones", () => {
    expect(providersOf(["vendor/model-b", "vendor/model-a"])).toEqual(["cheap", "middle", "pricey"]);
  });

  it("applies provider preferences", () => {
    expect(providersOf(["vendor/model-a"], { order: ["pricey"] })).toEqual(["pricey", "cheap", "middle"]);
    expect(providersOf(["vendor/model-a"], { order: ["pricey"], allow_fallbacks: false })).toEqual(["pricey"]);
    expect(providersOf(["vendor/model-a"], { only: ["middle", "pricey"] })).toEqual(["middle", "pricey"]);
    expect(providersOf(["vendor/model-a"], { ignore: ["cheap"] })).toEqual(["middle", "pricey"]);
    expect(providersOf(["vendor/model-a"], { data_collection: "deny" })).toEqual(["middle", "pricey"]);
    expect(providersOf(["vendor/model-a"], { zdr: true })).toEqual(["middle"]);
    expect(routeError(() => selectRoute(catalog, { models: ["vendor/model-a"], provider: { only: ["absent"] } }))).toMatchObject({ status: 404 });
  });
});

/** One row per `provider` field and value (issue 9): the providers tried, in order, and why each other one was left out. */
const preferenceTable: { field: string; provider: Preferences; parameters?: string[]; tried: string[]; skipped: Record<string, string> }[] = [
  { field: "(none)", provider: {}, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "order", provider: { order: ["pricey"] }, tried: ["pricey", "cheap", "middle"], skipped: {} },
  { field: "order (any case, several)", provider: { order: ["PRICEY", "middle"] }, tried: ["pricey", "middle", "cheap"], skipped: {} },
  { field: "order naming a provider the model lacks", provider: { order: ["nobody", "middle"] }, tried: ["middle", "cheap", "pricey"], skipped: {} },
  { field: "allow_fallbacks: true", provider: { allow_fallbacks: true }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "allow_fallbacks: false", provider: { allow_fallbacks: false }, tried: ["cheap"], skipped: { middle: "fallbacks_not_allowed", pricey: "fallbacks_not_allowed" } },
  { field: "allow_fallbacks: false + order", provider: { order: ["pricey"], allow_fallbacks: false }, tried: ["pricey"], skipped: { cheap: "not_in_order", middle: "not_in_order" } },
  { field: "allow_fallbacks: false + order of two", provider: { order: ["pricey", "cheap"], allow_fallbacks: false }, tried: ["pricey", "cheap"], skipped: { middle: "not_in_order" } },
  { field: "only", provider: { only: ["middle", "Pricey"] }, tried: ["middle", "pricey"], skipped: { cheap: "allowed_providers" } },
  { field: "ignore", provider: { ignore: ["cheap"] }, tried: ["middle", "pricey"], skipped: { cheap: "ignored" } },
  { field: "data_collection: allow", provider: { data_collection: "allow" }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "data_collection: deny", provider: { data_collection: "deny" }, tried: ["middle", "pricey"], skipped: { cheap: "data_policy:training" } },
  { field: "zdr: false", provider: { zdr: false }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "zdr: true", provider: { zdr: true }, tried: ["middle"], skipped: { cheap: "data_policy:zdr", pricey: "data_policy:zdr" } },
  { field: "quantizations (stated)", provider: { quantizations: ["fp8", "bf16"] }, tried: ["pricey"], skipped: { cheap: "quantization", middle: "quantization" } },
  { field: "quantizations: unknown", provider: { quantizations: ["unknown"] }, tried: ["cheap", "middle"], skipped: { pricey: "quantization" } },
  { field: "max_price.prompt (number, at the limit)", provider: { max_price: { prompt: 2 } }, tried: ["cheap", "middle"], skipped: { pricey: "max_price" } },
  { field: "max_price.prompt + completion (string)", provider: { max_price: { prompt: "1.5", completion: "2" } }, tried: ["cheap"], skipped: { middle: "max_price", pricey: "max_price" } },
  { field: "max_price.completion (exponent number)", provider: { max_price: { completion: 2e0 } }, tried: ["cheap", "middle"], skipped: { pricey: "max_price" } },
  { field: "max_price.request/image/audio (no endpoint here prices them)", provider: { max_price: { request: 0, image: 0, audio: "0" } }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "require_parameters: true", provider: { require_parameters: true }, parameters: ["tools"], tried: ["middle", "pricey"], skipped: { cheap: "require_parameters" } },
  { field: "require_parameters: true, two parameters", provider: { require_parameters: true }, parameters: ["tools", "temperature"], tried: ["middle"], skipped: { cheap: "require_parameters", pricey: "require_parameters" } },
  { field: "require_parameters: true, none used", provider: { require_parameters: true }, parameters: [], tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "require_parameters: false (tools: supporting endpoints first, the others kept)", provider: { require_parameters: false }, parameters: ["tools"], tried: ["middle", "pricey", "cheap"], skipped: {} },
  { field: "sort: price", provider: { sort: "price" }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  // Without health figures every endpoint ties on throughput and latency: price decides.
  { field: "sort: throughput (no measurements)", provider: { sort: "throughput" }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "sort: latency (no measurements)", provider: { sort: "latency" }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "sort: { by, partition: model }", provider: { sort: { by: "price", partition: "model" } }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "sort + order", provider: { sort: "price", order: ["middle"] }, tried: ["middle", "cheap", "pricey"], skipped: {} },
  { field: "preferred_min_throughput (no measurements: nothing moves)", provider: { preferred_min_throughput: { p90: 100 } }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "preferred_max_latency (no measurements: nothing moves)", provider: { preferred_max_latency: 0.1 }, tried: ["cheap", "middle", "pricey"], skipped: {} },
  { field: "filters combined: first failing filter is the reason", provider: { only: ["cheap", "pricey"], data_collection: "deny", zdr: true }, tried: [], skipped: { cheap: "data_policy:training", middle: "allowed_providers", pricey: "data_policy:zdr" } },
];

describe("selectRoute provider preferences (issue 9)", () => {
  it.each(preferenceTable)("$field", ({ provider, parameters, tried, skipped }) => {
    const request = { models: ["vendor/model-a"], provider, ...(parameters ? { parameters } : {}) };
    if (tried.length === 0) {
      const error = routeError(() => selectRoute(catalog, request));
      expect(error).toMatchObject({ status: 404, code: "no_endpoints" });
      expect(new Set(error.metadata?.["excluded_by"] as string[])).toEqual(new Set(Object.values(skipped)));
      return;
    }
    expect(selectRoute(catalog, request).candidates.map((candidate) => candidate.providerId)).toEqual(tried);
    expect(skippedOf(["vendor/model-a"], provider, parameters)).toEqual(skipped);
  });

  it("refuses with 404 naming the filters when every endpoint is filtered out", () => {
    const error = routeError(() => selectRoute(catalog, { models: ["vendor/model-a"], provider: { max_price: { completion: 1.99 } } }));
    expect(error).toMatchObject({ status: 404, code: "no_endpoints", metadata: { models: ["vendor/model-a"], excluded_by: ["max_price"] } });
    expect(error.message).toContain('no provider of "vendor/model-a" passes the request\'s filters (max_price)');
  });

  it("ranks the endpoints of all models together with sort partition none, keeping model order on ties", () => {
    expect(providersOf(["vendor/model-a", "vendor/model-c"])).toEqual(["cheap", "middle", "pricey", "gratis", "paid"]);
    expect(providersOf(["vendor/model-a", "vendor/model-c"], { sort: { by: "price", partition: "none" } })).toEqual(["gratis", "paid", "cheap", "middle", "pricey"]);
  });

  it("applies allow_fallbacks per model: each model's first endpoint, then the next model's (model fallback stays)", () => {
    expect(providersOf(["vendor/model-a", "vendor/model-c"], { allow_fallbacks: false })).toEqual(["cheap", "gratis"]);
  });

  it("falls back to the next model when every endpoint of the first is filtered out", () => {
    const reply = selectRoute(catalog, { models: ["vendor/model-a", "vendor/model-c"], provider: { max_price: { prompt: 0.5 } } });
    expect(reply.candidates.map((candidate) => candidate.endpointId)).toEqual(["vendor/model-c@gratis", "vendor/model-c@paid"]);
    expect(reply.skipped.map((endpoint) => [endpoint.endpointId, endpoint.reason])).toEqual([
      ["vendor/model-a@pricey", "max_price"],
      ["vendor/model-a@cheap", "max_price"],
      ["vendor/model-a@middle", "max_price"],
    ]);
  });
});

/** One row per model variant (issue 9): the endpoints tried, and why each other one was left out. */
const variantTable: { model: string; tried: string[]; skipped: Record<string, string> }[] = [
  { model: "vendor/model-a:floor", tried: ["cheap", "middle", "pricey"], skipped: {} },
  // `:nitro` sorts by throughput; without measurements, price decides.
  { model: "vendor/model-a:nitro", tried: ["cheap", "middle", "pricey"], skipped: {} },
  { model: "vendor/model-c:free", tried: ["gratis"], skipped: { paid: "free_variant" } },
  { model: "vendor/model-c:floor", tried: ["gratis", "paid"], skipped: {} },
  { model: "vendor/model-d:free", tried: ["pricey"], skipped: {} },
];

describe("selectRoute model variants (issue 9)", () => {
  it.each(variantTable)("$model", ({ model, tried, skipped }) => {
    expect(providersOf([model])).toEqual(tried);
    expect(skippedOf([model])).toEqual(skipped);
    for (const candidate of selectRoute(catalog, { models: [model] }).candidates) expect(candidate.modelId).not.toMatch(/:(floor|nitro)$/);
  });

  it("filters by max_price.request (USD per request) and max_price.image (USD per image)", () => {
    const table = createRoutingTable({
      models: [
        model("vendor/model-f", [
          endpoint("unpriced", "1", "1", { endpointId: "vendor/model-f@unpriced", modelId: "vendor/model-f" }),
          endpoint("per-request", "1", "1", { endpointId: "vendor/model-f@per-request", modelId: "vendor/model-f", price: { promptPicosPerToken: "1", completionPicosPerToken: "1", requestPicos: "5000000000" } }),
          endpoint("per-image", "1", "1", { endpointId: "vendor/model-f@per-image", modelId: "vendor/model-f", price: { promptPicosPerToken: "1", completionPicosPerToken: "1", imagePicos: "1000000000" } }),
        ]),
      ],
    });
    const skipped = (maximum: Preferences["max_price"]) =>
      Object.fromEntries(selectRoute(table, { models: ["vendor/model-f"], provider: { max_price: maximum } }).skipped.map((endpoint) => [endpoint.providerId, endpoint.reason]));
    expect(skipped({ request: "0.005", image: 0.001 })).toEqual({});
    expect(skipped({ request: 0.004 })).toEqual({ "per-request": "max_price" });
    expect(skipped({ image: "0.0009" })).toEqual({ "per-image": "max_price" });
  });

  it("does not take an endpoint that charges per request or for cache reads as free", () => {
    const zeroTokens = { promptPicosPerToken: "0", completionPicosPerToken: "0" };
    const table = createRoutingTable({
      models: [
        model("vendor/model-e", [
          endpoint("gratis", "0", "0", { endpointId: "vendor/model-e@gratis", modelId: "vendor/model-e" }),
          endpoint("per-request", "0", "0", { endpointId: "vendor/model-e@per-request", modelId: "vendor/model-e", price: { ...zeroTokens, requestPicos: "1000000" } }),
          endpoint("cache-read", "0", "0", { endpointId: "vendor/model-e@cache-read", modelId: "vendor/model-e", price: { ...zeroTokens, cacheReadPicosPerToken: "1" } }),
          endpoint("zero-split", "0", "0", { endpointId: "vendor/model-e@zero-split", modelId: "vendor/model-e", price: { ...zeroTokens, reasoningPicosPerToken: "0", imagePicos: "0" } }),
        ]),
      ],
    });
    const route = selectRoute(table, { models: ["vendor/model-e:free"] });
    expect(route.candidates.map((candidate) => candidate.providerId).sort()).toEqual(["gratis", "zero-split"]);
    expect(Object.fromEntries(route.skipped.map((skipped) => [skipped.providerId, skipped.reason]))).toEqual({ "per-request": "free_variant", "cache-read": "free_variant" });
  });

  it("tries an endpoint once when models name one catalog model twice", () => {
    expect(providersOf(["vendor/model-c:free", "vendor/model-c"])).toEqual(["gratis", "paid"]);
  });

  it("keeps `order` ahead of a variant's sort", () => {
    expect(providersOf(["vendor/model-a:floor"], { order: ["pricey"] })).toEqual(["pricey", "cheap", "middle"]);
  });

  it("refuses :free when the model has no zero-priced endpoint, and falls back to the next model", () => {
    const error = routeError(() => selectRoute(catalog, { models: ["vendor/model-a:free"] }));
    expect(error).toMatchObject({ status: 404, code: "no_endpoints", metadata: { excluded_by: ["free_variant"] } });
    expect(providersOf(["vendor/model-a:free", "vendor/model-c:free"])).toEqual(["gratis"]);
  });

  it("treats an unknown suffix, or a variant of an unknown model, as an unknown model", () => {
    expect(routeError(() => selectRoute(catalog, { models: ["vendor/model-a:thinking"] }))).toMatchObject({ status: 400, code: "model_not_found" });
    expect(routeError(() => selectRoute(catalog, { models: ["vendor/nothing:free"] }))).toMatchObject({ status: 400, code: "model_not_found" });
  });
});

describe("selectRoute with health (issue 9)", () => {
  const figures = (status: EndpointHealth["status"], throughput: number | null): EndpointHealth => ({
    status,
    ejectedUntil: status === "ejected" ? "2026-11-30T12:00:30.000Z" : null,
    uptimeLast30Seconds: null,
    uptimeLast5Minutes: null,
    latencyP50Milliseconds: null,
    throughputP50TokensPerSecond: throughput,
    requestsLast5Minutes: 0,
  });
  const health = new Map([
    ["vendor/model-a@cheap", figures("ejected", 500)],
    ["vendor/model-a@middle", figures("healthy", 20)],
    ["vendor/model-a@pricey", figures("healthy", 90)],
  ]);
  const route = (models: string[], provider?: Preferences) =>
    selectRoute(catalog, { models, ...(provider ? { provider } : {}) }, { health, random: () => 0 }).candidates.map((candidate) => candidate.providerId);

  it("tries an ejected endpoint last by default, and not at all without fallbacks", () => {
    expect(route(["vendor/model-a"])).toEqual(["middle", "pricey", "cheap"]);
    expect(route(["vendor/model-a"], { allow_fallbacks: false })).toEqual(["middle"]);
  });

  it("sorts :nitro and sort throughput by measured throughput, ejected last; keeps price for :floor and order first", () => {
    expect(route(["vendor/model-a:nitro"])).toEqual(["pricey", "middle", "cheap"]);
    expect(route(["vendor/model-a"], { sort: "throughput" })).toEqual(["pricey", "middle", "cheap"]);
    expect(route(["vendor/model-a:floor"])).toEqual(["cheap", "middle", "pricey"]);
    expect(route(["vendor/model-a:nitro"], { sort: "price" })).toEqual(["cheap", "middle", "pricey"]);
    expect(route(["vendor/model-a"], { order: ["cheap"] })).toEqual(["cheap", "middle", "pricey"]);
  });

  it("moves endpoints measured below preferred_min_throughput after the others, within each model and, with partition none, across models", () => {
    expect(route(["vendor/model-a"], { preferred_min_throughput: 50 })).toEqual(["pricey", "middle", "cheap"]);
    // model-c's endpoints are unmeasured: not penalised, so with partition none they stay ahead of middle.
    expect(route(["vendor/model-a", "vendor/model-c"], { preferred_min_throughput: 50 })).toEqual(["pricey", "middle", "cheap", "gratis", "paid"]);
    expect(route(["vendor/model-a", "vendor/model-c"], { preferred_min_throughput: 50, sort: { by: "price", partition: "none" } })).toEqual(["gratis", "paid", "cheap", "pricey", "middle"]);
    // Soft: when allow_fallbacks is false the model's first endpoint is the first that meets it.
    expect(route(["vendor/model-a"], { preferred_min_throughput: 50, allow_fallbacks: false })).toEqual(["pricey"]);
  });
});
