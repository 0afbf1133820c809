import { z } from "zod";

/** A provider's data policy in a listing: what its public terms say about API traffic. */
export const dataPolicyListingSchema = z.object({
  /** The provider may train on prompts and completions. */
  training: z.boolean(),
  retains_prompts: z.boolean(),
  /** Days prompts are kept; null when the provider does not publish it. */
  retention_days: z.number().int().nonnegative().nullable(),
  /** Zero data retention. */
  zdr: z.boolean(),
});
export type DataPolicyListing = z.infer<typeof dataPolicyListingSchema>;

/**
 * A provider as `GET /api/v1/providers` lists it: OpenRouter's fields (the URLs and locations are null, the
 * catalog does not record them) plus `data_policy`, which OpenRouter shows only on its website.
 */
export const providerListingSchema = z.object({
  name: z.string(),
  /** The slug `provider.order`, `only` and `ignore` take. */
  slug: z.string(),
  privacy_policy_url: z.string().nullable(),
  terms_of_service_url: z.string().nullable(),
  status_page_url: z.string().nullable(),
  headquarters: z.string().nullable(),
  datacenters: z.array(z.string()).nullable(),
  data_policy: dataPolicyListingSchema,
});
export type ProviderListing = z.infer<typeof providerListingSchema>;

/** `GET /api/v1/providers`: the providers that serve at least one model here. */
export const listProvidersReplySchema = z.object({ data: z.array(providerListingSchema) });
export type ListProvidersReply = z.infer<typeof listProvidersReplySchema>;
