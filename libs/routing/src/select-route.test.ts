import { describe, expect, it } from "vitest";
import { SwitchboardError, type DataPolicy, type RouteCandidate, type RoutingModel } from "@switchboard/contracts";
import { createRoutingTable } from "./routing-table.js";
import { selectRoute } from "./select-route.js";

const policies: Record<string, DataPolicy> = {
  cheap: { training: true, retainsPrompts: true, retentionDays: 30, zdr: false },
  middle: { training: false, retainsPrompts: false, retentionDays: null, zdr: true },
  pricey: { training: false, retainsPrompts: true, retentionDays: 7, zdr: false },
};

/** An endpoint of vendor/model-a as the router publishes it; prices in picodollars per token. */
function endpoint(providerId: string, prompt: string, completion: string, overrides: Partial<RouteCandidate> = {}): RouteCandidate {
  return {
    endpointId: `vendor/model-a@${providerId}`,
    modelId: "vendor/model-a",
    providerId,
    providerName: providerId,
    api: "openai",
    baseUrl: `http://${providerId}.test/v1`,
    apiKeyEnv: null,
    upstreamModel: `a-${providerId}`,
    price: { promptPicosPerToken: prompt, completionPicosPerToken: completion },
    contextLength: 8000,
    maxCompletionTokens: null,
    supportedParameters: [],
    dataPolicy: policies[providerId] as DataPolicy,
    ...overrides,
  };
}

function model(id: string, endpoints: RouteCandidate[], unconfiguredProviders: RoutingModel["unconfiguredProviders"] = []): RoutingModel {
  return { id, name: id, description: "", contextLength: 8000, inputModalities: ["text"], outputModalities: ["text"], endpoints, unconfiguredProviders };
}

// Catalog order is not price order, so the tests show that routing sorts.
const catalog = createRoutingTable({
  models: [
    model("vendor/model-a", [
      endpoint("pricey", "3000000", "6000000", { apiKeyEnv: "PRICEY_KEY" }),
      endpoint("cheap", "1000000", "2000000", { apiKeyEnv: "CHEAP_KEY", maxCompletionTokens: 1000 }),
      endpoint("middle", "2000000", "2000000"),
    ]),
    model("vendor/model-b", [], [{ providerId: "absent", apiKeyEnv: "ABSENT_KEY" }]),
  ],
});
const providersOf = (models: string[], provider?: Parameters<typeof selectRoute>[1]["provider"]) =>
  selectRoute(catalog, { models, ...(provider ? { provider } : {}) }).candidates.map((candidate) => candidate.providerId);

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
