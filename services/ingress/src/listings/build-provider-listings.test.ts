import { listProvidersReplySchema, type RoutingModel } from "@switchboard/contracts";
import { createRoutingTable } from "@switchboard/routing";
import { describe, expect, it } from "vitest";
import { routeCandidate } from "../generation/route-candidate.test-support.js";
import { buildProviderListings } from "./build-provider-listings.js";

const model = (id: string, providers: string[]): RoutingModel => ({
  id,
  name: id,
  description: "",
  contextLength: 8_000,
  inputModalities: ["text"],
  outputModalities: ["text"],
  endpoints: providers.map((provider) =>
    routeCandidate(`${id}@${provider}`, { providerName: provider.toUpperCase(), dataPolicy: { training: provider === "zeta", retainsPrompts: true, retentionDays: null, zdr: false } }),
  ),
  unconfiguredProviders: [{ providerId: "keyless", apiKeyEnv: "KEYLESS_KEY" }],
});

describe("buildProviderListings", () => {
  it("lists each provider serving a model once, by slug, with its data policy; providers without a key are left out", () => {
    const data = buildProviderListings(createRoutingTable({ models: [model("a/one", ["zeta", "alpha"]), model("a/two", ["alpha"])] }));
    expect(listProvidersReplySchema.parse({ data })).toEqual({ data });
    expect(data).toEqual([
      {
        name: "ALPHA",
        slug: "alpha",
        privacy_policy_url: null,
        terms_of_service_url: null,
        status_page_url: null,
        headquarters: null,
        datacenters: null,
        data_policy: { training: false, retains_prompts: true, retention_days: null, zdr: false },
      },
      expect.objectContaining({ slug: "zeta", name: "ZETA", data_policy: { training: true, retains_prompts: true, retention_days: null, zdr: false } }),
    ]);
  });
});
