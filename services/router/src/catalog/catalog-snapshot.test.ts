import { describe, expect, it } from "vitest";
import { catalogFileSchema } from "./catalog-file-schema.js";
import { buildCatalogSnapshot } from "./catalog-snapshot.js";

const dataPolicy = { training: false, retains_prompts: false, zdr: true };

describe("buildCatalogSnapshot", () => {
  it("carries a provider's api_version, region and quirks to its endpoints, in the contracts' names", () => {
    const file = catalogFileSchema.parse({
      providers: [
        {
          id: "vendor",
          name: "Vendor",
          api: "openai",
          base_url: "https://vendor.example/v1",
          quirks: { output_cap_parameter: "max_completion_tokens", stream_usage: false, drop_parameters: ["logit_bias"], extra_parameters: ["top_k"] },
          data_policy: dataPolicy,
        },
        { id: "claude", name: "Claude", api: "anthropic", base_url: "https://api.anthropic.com", api_version: "2023-06-01", data_policy: dataPolicy },
        { id: "aws", name: "AWS", api: "bedrock", base_url: "https://bedrock-proxy.internal.example", region: "eu-west-1", data_policy: dataPolicy },
      ],
      models: [
        {
          id: "test/m",
          name: "M",
          context_length: 1000,
          endpoints: [
            { provider: "vendor", upstream_model: "m", pricing: { prompt: "0.000001", completion: "0.000002" } },
            { provider: "claude", upstream_model: "c", pricing: { prompt: "0.000001", completion: "0.000002" } },
            { provider: "aws", upstream_model: "b", pricing: { prompt: "0.000001", completion: "0.000002" } },
          ],
        },
      ],
    });
    const [vendor, claude, aws] = buildCatalogSnapshot(file, () => true).models[0]!.endpoints;
    expect(vendor!.quirks).toEqual({ outputCapParameter: "max_completion_tokens", streamUsage: false, dropParameters: ["logit_bias"], extraParameters: ["top_k"] });
    expect(vendor).not.toHaveProperty("apiVersion");
    expect(claude!.apiVersion).toBe("2023-06-01");
    expect(claude).not.toHaveProperty("quirks");
    expect(aws!.region).toBe("eu-west-1");
    expect(claude).not.toHaveProperty("region");
  });
});
