import { fileURLToPath } from "node:url";
import { createRoutingTable, selectRoute } from "@switchboard/routing";
import { SwitchboardError, type RouteCandidate, type RouteRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { buildCatalogSnapshot } from "./catalog/catalog-snapshot.js";
import { readCatalogFile } from "./catalog/read-catalog-file.js";

const defaultCatalogPath = fileURLToPath(new URL("../../../deploy/catalog/default.yaml", import.meta.url));

/** The default catalog with every provider key set: every endpoint it lists is routable. */
async function defaultCatalog() {
  const file = await readCatalogFile(defaultCatalogPath, {});
  return buildCatalogSnapshot(file, () => true);
}

/** The candidates for a request, or none when routing refuses it with 404 (nothing passes the filters). */
function candidatesOrNone(table: ReturnType<typeof createRoutingTable>, request: RouteRequest): RouteCandidate[] {
  try {
    return selectRoute(table, request).candidates;
  } catch (error) {
    if (error instanceof SwitchboardError && error.error.status === 404) return [];
    throw error;
  }
}

/** Embedding models are routed as embeddings requests (issue 11), every other model as chat. */
function outputOf(model: { outputModalities: readonly string[] }): Pick<RouteRequest, "output"> {
  return model.outputModalities.includes("embeddings") ? { output: "embeddings" } : {};
}

/**
 * Issue 9 acceptance: `data_collection: "deny"` never selects an endpoint whose provider trains on data and
 * `zdr: true` only ZDR endpoints, over every model and endpoint of deploy/catalog/default.yaml, whatever
 * else the request says (order, fallbacks, variants).
 */
describe("privacy filters over the default catalog", async () => {
  const catalog = await defaultCatalog();
  const table = createRoutingTable(catalog);
  const endpoints = catalog.models.flatMap((model) => model.endpoints);
  const providers = [...new Set(endpoints.map((endpoint) => endpoint.providerId))];
  const shapes: { name: string; provider: NonNullable<RouteRequest["provider"]>; suffix: string }[] = [
    { name: "alone", provider: {}, suffix: "" },
    ...providers.map((provider) => ({ name: `order [${provider}]`, provider: { order: [provider] }, suffix: "" })),
    ...providers.map((provider) => ({ name: `order [${provider}] without fallbacks`, provider: { order: [provider], allow_fallbacks: false }, suffix: "" })),
    ...providers.map((provider) => ({ name: `only [${provider}]`, provider: { only: [provider] }, suffix: "" })),
    { name: ":floor", provider: {}, suffix: ":floor" },
    { name: ":nitro", provider: {}, suffix: ":nitro" },
  ];

  it("lists endpoints of providers that train and of providers without ZDR, so both filters have work to do", () => {
    expect(endpoints.some((endpoint) => endpoint.dataPolicy.training)).toBe(true);
    expect(endpoints.some((endpoint) => !endpoint.dataPolicy.zdr)).toBe(true);
    expect(endpoints.some((endpoint) => endpoint.dataPolicy.zdr)).toBe(true);
  });

  it.each(shapes)("data_collection: deny selects no training endpoint ($name)", ({ provider, suffix }) => {
    for (const model of catalog.models) {
      const selected = candidatesOrNone(table, { models: [`${model.id}${suffix}`], ...outputOf(model), provider: { ...provider, data_collection: "deny" } });
      for (const candidate of selected) expect(candidate.dataPolicy.training, candidate.endpointId).toBe(false);
      const allowed = model.endpoints.filter((endpoint) => !endpoint.dataPolicy.training);
      if (Object.keys(provider).length === 0) expect(selected.map((candidate) => candidate.endpointId).sort()).toEqual(allowed.map((endpoint) => endpoint.endpointId).sort());
    }
  });

  it.each(shapes)("zdr: true selects only ZDR endpoints ($name)", ({ provider, suffix }) => {
    for (const model of catalog.models) {
      const selected = candidatesOrNone(table, { models: [`${model.id}${suffix}`], ...outputOf(model), provider: { ...provider, zdr: true } });
      for (const candidate of selected) expect(candidate.dataPolicy.zdr, candidate.endpointId).toBe(true);
      const allowed = model.endpoints.filter((endpoint) => endpoint.dataPolicy.zdr);
      if (Object.keys(provider).length === 0) expect(selected.map((candidate) => candidate.endpointId).sort()).toEqual(allowed.map((endpoint) => endpoint.endpointId).sort());
    }
  });

  it("holds with every model of the catalog as a fallback list", () => {
    const models = catalog.models.map((model) => model.id);
    const denied = candidatesOrNone(table, { models, provider: { data_collection: "deny" } });
    expect(denied.length).toBeGreaterThan(0);
    for (const candidate of denied) expect(candidate.dataPolicy.training).toBe(false);
    const zdr = candidatesOrNone(table, { models, provider: { zdr: true } });
    expect(zdr.length).toBeGreaterThan(0);
    for (const candidate of zdr) expect(candidate.dataPolicy.zdr).toBe(true);
  });
});
