import { awsRegionName, bedrockHostRegionOf, providerKeyVariableSchema, quantizations, type CatalogEntryKind } from "@switchboard/contracts";
import { z } from "zod";

const perTokenPrice = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .pipe(z.string().regex(/^\d+(\.\d{1,12})?$/, "a USD-per-token decimal string with at most 12 decimal places, e.g. \"0.00000015\""));

/**
 * An endpoint's prices, under OpenRouter's names (its `pricing` object): USD per prompt and completion
 * token, and optionally per cache-read, cache-write and reasoning token, per request and per input image.
 * A part left out has no price of its own: cache reads and writes cost the prompt price, reasoning tokens
 * the completion price, requests and images nothing.
 */
export const catalogPricingSchema = z.strictObject({
  prompt: perTokenPrice,
  completion: perTokenPrice,
  input_cache_read: perTokenPrice.optional(),
  input_cache_write: perTokenPrice.optional(),
  internal_reasoning: perTokenPrice.optional(),
  request: perTokenPrice.optional(),
  image: perTokenPrice.optional(),
});
export type CatalogPricing = z.infer<typeof catalogPricingSchema>;

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lowercase letters, digits, '.', '_' and '-'");

/** Query parameter names that hold a credential (Google's `key`, SAS `sig`, `access_token`, …). */
const credentialParameterName = /key|token|secret|sig|password|auth|credential|code/i;

/**
 * An OpenAI-compatible vendor's known departures from OpenAI's API, as data (the contracts'
 * `ProviderQuirks`, in the file's snake_case): `output_cap_parameter` forces `max_tokens` or
 * `max_completion_tokens` for every model, `stream_usage: false` sends no `stream_options`,
 * `drop_parameters` names parameters the vendor rejects, `extra_parameters` ones it takes beyond OpenAI's.
 */
export const catalogQuirksSchema = z.strictObject({
  output_cap_parameter: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
  stream_usage: z.boolean().optional(),
  drop_parameters: z.array(z.string().min(1)).optional(),
  extra_parameters: z.array(z.string().min(1)).optional(),
});
export type CatalogQuirks = z.infer<typeof catalogQuirksSchema>;

/** One upstream provider as the catalog file declares it. */
export const catalogProviderSchema = z.strictObject({
  id: slug,
  name: z.string().min(1),
  api: z.string().min(1),
  // The catalog is published to every replica's routing snapshot and shown by GET /admin/catalog:
  // credentials belong in api_key_env's variable, so neither `user:password@`, a fragment, nor a query
  // parameter named like a credential (`?key=…`) is accepted. Other query parameters are: Azure OpenAI's
  // base_url carries its `api-version`.
  base_url: z
    .url()
    .refine((url) => !URL.canParse(url) || (new URL(url).username === "" && new URL(url).password === ""), "must not carry credentials (user:password@); name the key's variable in api_key_env")
    .refine((url) => !url.includes("#"), "must not have a fragment")
    .refine(
      (url) => !URL.canParse(url) || ![...new URL(url).searchParams.keys()].some((name) => credentialParameterName.test(name)),
      "must not carry a credential in its query (a parameter named like key, token, secret, signature or password would be published); name the key's variable in api_key_env",
    ),
  /** How an OpenAI-compatible vendor departs from OpenAI's API; see `catalogQuirksSchema`. */
  quirks: catalogQuirksSchema.optional(),
  // The connector sends this variable's value to base_url: only a provider key's name (see providerKeyVariableProblem).
  api_key_env: providerKeyVariableSchema.optional(),
  // The provider API's version, for APIs versioned by a header (Anthropic's `anthropic-version`, whose
  // adapter defaults to 2023-06-01); the version decides which parameter values the endpoint takes.
  api_version: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, "a version name such as 2023-06-01").optional(),
  // The AWS region a Bedrock provider's requests are signed for (LiteLLM's aws_region_name). Without it the
  // adapter reads the region from base_url's host (bedrock-runtime.<region>.amazonaws.com); with it base_url
  // may be any address (a VPC endpoint's DNS name without the region, a proxy), which is used as given.
  region: awsRegionName.optional(),
  data_policy: z.strictObject({
    training: z.boolean(),
    retains_prompts: z.boolean(),
    retention_days: z.number().int().nonnegative().nullable().optional(),
    zdr: z.boolean(),
  }),
})
  // Only the Bedrock adapter signs for a region: on another API the setting would be ignored without a word.
  .refine((provider) => provider.region === undefined || provider.api === "bedrock", { path: ["region"], message: "only a provider with api: bedrock takes a region" })
  // A regional host only answers requests signed for its own region: another region would fail every call.
  .refine((provider) => provider.region === undefined || [undefined, provider.region].includes(bedrockHostRegionOf(provider.base_url)), {
    path: ["region"],
    message: "contradicts the region in base_url's host (bedrock-runtime.<region>.amazonaws.com); set the same region, or leave region out to sign for the host's",
  });
export type CatalogProvider = z.infer<typeof catalogProviderSchema>;

export const catalogEndpointSchema = z.strictObject({
  provider: slug,
  upstream_model: z.string().min(1),
  pricing: catalogPricingSchema,
  context_length: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  supported_parameters: z.array(z.string()).default([]),
  /** The precision the provider serves the weights at; left out when it does not say (listed as unknown). */
  quantization: z.enum(quantizations.filter((quantization) => quantization !== "unknown") as [string, ...string[]]).optional(),
});
export type CatalogEndpoint = z.infer<typeof catalogEndpointSchema>;

export const catalogModelSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._:-]*$/i, "an `author/slug` model id"),
  name: z.string().min(1),
  description: z.string().default(""),
  context_length: z.number().int().positive(),
  input_modalities: z.array(z.string()).default(["text"]),
  output_modalities: z.array(z.string()).default(["text"]),
  endpoints: z.array(catalogEndpointSchema).min(1),
});
export type CatalogModel = z.infer<typeof catalogModelSchema>;

/** The schema of one entry's document, by kind: what the admin API accepts and what a stored change is checked by. */
export const catalogDocumentSchemas: Record<CatalogEntryKind, z.ZodType> = { provider: catalogProviderSchema, model: catalogModelSchema, endpoint: catalogEndpointSchema };

/** The catalog file (`SWITCHBOARD_CATALOG`): providers, and models with the endpoints that serve them. */
export const catalogFileSchema = z
  .strictObject({ providers: z.array(catalogProviderSchema).min(1), models: z.array(catalogModelSchema).min(1) })
  .superRefine((catalog, context) => {
    const providerIds = new Set<string>();
    catalog.providers.forEach((provider, index) => {
      if (providerIds.has(provider.id)) context.addIssue({ code: "custom", path: ["providers", index, "id"], message: `duplicate provider id "${provider.id}"` });
      providerIds.add(provider.id);
    });
    const modelIds = new Set<string>();
    catalog.models.forEach((model, modelIndex) => {
      if (modelIds.has(model.id)) context.addIssue({ code: "custom", path: ["models", modelIndex, "id"], message: `duplicate model id "${model.id}"` });
      modelIds.add(model.id);
      const servedBy = new Set<string>();
      model.endpoints.forEach((endpoint, endpointIndex) => {
        const path = ["models", modelIndex, "endpoints", endpointIndex, "provider"];
        if (!providerIds.has(endpoint.provider)) context.addIssue({ code: "custom", path, message: `unknown provider "${endpoint.provider}"` });
        if (servedBy.has(endpoint.provider)) context.addIssue({ code: "custom", path, message: `provider "${endpoint.provider}" listed twice for ${model.id}` });
        servedBy.add(endpoint.provider);
      });
    });
  });
export type CatalogFile = z.infer<typeof catalogFileSchema>;
