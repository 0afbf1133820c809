import { z } from "zod";
import { dataPolicyListingSchema } from "./list-providers.js";
import { modelListingSchema } from "./list-models.js";

/** Percentiles of a measurement over a window, as OpenRouter reports latency and throughput. */
const percentilesSchema = z.object({ p50: z.number(), p75: z.number(), p90: z.number(), p99: z.number() });

/**
 * One endpoint (a model served by one provider) in `GET /api/v1/models/{author}/{slug}/endpoints`, in
 * OpenRouter's shape plus its `data_policy`. `status` (0 healthy, -1 ejected), the uptimes (percentages)
 * and the 30-minute percentiles (latency = time to first token in milliseconds, throughput in output
 * tokens per second) come from the router's health judgement; null says "not measured" (no traffic in
 * the window).
 */
export const endpointListingSchema = z.object({
  name: z.string(),
  model_id: z.string(),
  model_name: z.string(),
  provider_name: z.string(),
  /** The provider slug `provider.order`, `only` and `ignore` take. */
  tag: z.string(),
  context_length: z.number().int(),
  max_completion_tokens: z.number().int().nullable(),
  max_prompt_tokens: z.number().int().nullable(),
  pricing: modelListingSchema.shape.pricing,
  /** Null when the catalog does not state it; `provider.quantizations: ["unknown"]` selects such endpoints. */
  quantization: z.string().nullable(),
  supported_parameters: z.array(z.string()),
  /** False: Switchboard knows of no provider-side cache it could route for (sticky routing comes later). */
  supports_implicit_caching: z.boolean(),
  status: z.number().int().nullable(),
  uptime_last_5m: z.number().nullable(),
  uptime_last_30m: z.number().nullable(),
  uptime_last_1d: z.number().nullable(),
  latency_last_30m: percentilesSchema.nullable(),
  throughput_last_30m: percentilesSchema.nullable(),
  data_policy: dataPolicyListingSchema,
});
export type EndpointListing = z.infer<typeof endpointListingSchema>;

/** `GET /api/v1/models/{author}/{slug}/endpoints`: the model and its usable endpoints, cheapest first. */
export const listModelEndpointsReplySchema = z.object({
  data: z.object({
    id: z.string(),
    name: z.string(),
    created: z.number().int(),
    description: z.string(),
    architecture: modelListingSchema.shape.architecture,
    endpoints: z.array(endpointListingSchema),
  }),
});
export type ListModelEndpointsReply = z.infer<typeof listModelEndpointsReplySchema>;
