import { describe, expect, it } from "vitest";
import { catalogDocumentSchemas, catalogProviderSchema } from "./catalog-file-schema.js";

const provider = {
  id: "acme",
  name: "Acme",
  api: "openai",
  base_url: "https://api.acme.test/v1",
  api_key_env: "ACME_API_KEY",
  data_policy: { training: false, retains_prompts: false, zdr: true },
};

/** The issues a provider document gets, as `path: message`. */
function issuesOf(document: unknown): string[] {
  const parsed = catalogProviderSchema.safeParse(document);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("the catalog's provider schema", () => {
  it("accepts a provider key variable ending in _API_KEY, and none at all", () => {
    expect(issuesOf(provider)).toEqual([]);
    const { api_key_env: _unused, ...keyless } = provider;
    expect(issuesOf(keyless)).toEqual([]);
  });

  it.each(["NATS_PASSWORD", "NATS_NKEY_SEED", "DATABASE_URL", "PGPASSWORD", "SWITCHBOARD_ADMIN_KEY", "OTEL_EXPORTER_OTLP_HEADERS", "NATS_API_KEY", "POSTGRES_API_KEY", "HOME"])(
    "refuses api_key_env %s: the connector would send that variable to base_url",
    (name) => {
      expect(issuesOf({ ...provider, api_key_env: name })).toEqual([expect.stringMatching(/^api_key_env: must/)]);
    },
  );

  it.each([
    "https://api.acme.test/v1?key=sk-secret",
    "https://api.acme.test/v1?api-version=1&access_token=sk-secret",
    "https://api.acme.test/v1?SIG=abc",
    "https://api.acme.test/v1#sk-secret",
    "https://user:sk-secret@api.acme.test/v1",
  ])(
    "refuses base_url %s: the snapshot and GET /admin/catalog would publish the secret in it",
    (url) => {
      expect(issuesOf({ ...provider, base_url: url })).toEqual([expect.stringMatching(/^base_url: must not/)]);
    },
  );

  it("takes a query that holds no credential, as Azure OpenAI's api-version", () => {
    expect(issuesOf({ ...provider, base_url: "https://acme.openai.azure.com/openai?api-version=2024-10-21" })).toEqual([]);
  });

  it("takes an optional api_version name, and refuses one that could not be a header value", () => {
    expect(issuesOf({ ...provider, api: "anthropic", api_version: "2026-10-21" })).toEqual([]);
    expect(issuesOf({ ...provider, api_version: "2023-06-01\r\nx-evil: 1" })).toEqual([expect.stringMatching(/^api_version: /)]);
  });
});

describe("the catalog's endpoint pricing (what the file and the admin API accept)", () => {
  const endpoint = { provider: "acme", upstream_model: "m", pricing: { prompt: "0.000003", completion: "0.000015" } };
  const endpointIssues = (pricing: Record<string, unknown>) => {
    const parsed = catalogDocumentSchemas.endpoint.safeParse({ ...endpoint, pricing });
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join("."));
  };

  it("accepts OpenRouter's optional price names as USD decimals, as strings or numbers", () => {
    const split = { input_cache_read: "0.0000003", input_cache_write: "0.00000375", internal_reasoning: 0.00002, request: "0.005", image: "0" };
    expect(endpointIssues({ ...endpoint.pricing, ...split })).toEqual([]);
  });

  it("refuses a negative or non-decimal split price, and a price name it does not know", () => {
    expect(endpointIssues({ ...endpoint.pricing, input_cache_read: "-1" })).toEqual(["pricing.input_cache_read"]);
    expect(endpointIssues({ ...endpoint.pricing, request: "free" })).toEqual(["pricing.request"]);
    expect(endpointIssues({ ...endpoint.pricing, input_cache_write_1h: "0.000006" })).toEqual(["pricing"]);
  });
});

describe("a provider's api_version and quirks", () => {
  it("accepts an API version and every quirk", () => {
    const quirks = { output_cap_parameter: "max_completion_tokens", stream_usage: false, drop_parameters: ["logit_bias"], extra_parameters: ["top_k"] };
    expect(issuesOf({ ...provider, api_version: "2023-06-01", quirks })).toEqual([]);
  });

  it("takes an AWS region for a Bedrock provider only, and refuses one that is no region name", () => {
    const bedrock = { ...provider, api: "bedrock", base_url: "https://bedrock-proxy.internal.example" };
    expect(issuesOf({ ...bedrock, region: "us-east-1" })).toEqual([]);
    expect(issuesOf({ ...bedrock, region: "us-gov-west-1" })).toEqual([]);
    expect(issuesOf({ ...bedrock, region: "US East" })).toEqual([expect.stringMatching(/^region: an AWS region name/)]);
    expect(issuesOf({ ...provider, region: "us-east-1" })).toEqual(["region: only a provider with api: bedrock takes a region"]);
  });

  it("refuses a region that contradicts the one in a regional Bedrock host, in its plain, FIPS and VPC endpoint forms", () => {
    const contradiction = "region: contradicts the region in base_url's host (bedrock-runtime.<region>.amazonaws.com); set the same region, or leave region out to sign for the host's";
    for (const host of ["bedrock-runtime.eu-west-3.amazonaws.com", "bedrock-runtime-fips.eu-west-3.amazonaws.com", "vpce-0a1b2c3d-4e5f6a7b.bedrock-runtime.eu-west-3.vpce.amazonaws.com"]) {
      const bedrock = { ...provider, api: "bedrock", base_url: `https://${host}` };
      expect(issuesOf({ ...bedrock, region: "us-east-1" })).toEqual([contradiction]);
      expect(issuesOf({ ...bedrock, region: "eu-west-3" })).toEqual([]);
      expect(issuesOf(bedrock)).toEqual([]);
    }
    expect(issuesOf({ ...provider, api: "bedrock", base_url: "https://vpce-0a1b2c3d.bedrock.example.internal", region: "us-east-1" })).toEqual([]);
  });

  it("refuses a quirk it does not know and an output cap field that does not exist", () => {
    expect(issuesOf({ ...provider, quirks: { no_stream_usage: true } })).toEqual([expect.stringMatching(/^quirks: Unrecognized key/)]);
    expect(issuesOf({ ...provider, quirks: { output_cap_parameter: "max_output_tokens" } })).toEqual([expect.stringMatching(/^quirks\.output_cap_parameter: /)]);
  });
});
