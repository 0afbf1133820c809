import { z } from "zod";

/**
 * Why routing left an endpoint out of a request's candidates. Where OpenRouter names the same filter in
 * `availability.excluded_by`, the value is OpenRouter's (`max_price`, `data_policy:training`, ...).
 */
export const endpointFilterReasons = {
  /** The provider is in `provider.ignore`. */
  ignored: "ignored",
  /** `provider.only` is set and does not name the provider. */
  notInOnly: "allowed_providers",
  /** `allow_fallbacks: false` with `order`, and the provider is not in `order`. */
  notInOrder: "not_in_order",
  /** `allow_fallbacks: false` without `order`: only each model's first endpoint is tried. */
  fallbacksNotAllowed: "fallbacks_not_allowed",
  /** `data_collection: "deny"` and the provider may train on the data. */
  training: "data_policy:training",
  /** `zdr: true` and the endpoint is not zero-data-retention. */
  zdr: "data_policy:zdr",
  /** `quantizations` does not include the endpoint's quantization (`unknown` when the catalog has none). */
  quantization: "quantization",
  /** A price is above `max_price`. */
  maximumPrice: "max_price",
  /** `require_parameters` and the endpoint lacks a parameter the request uses. */
  requireParameters: "require_parameters",
  /** The `:free` variant and the endpoint is not zero-priced. */
  notFree: "free_variant",
  /** The endpoint cannot produce the `max_tokens` the request asks for. */
  maximumTokens: "max_tokens",
  /** The endpoint's context window is smaller than the prompt (at least its estimate) plus the output asked for. */
  contextLength: "context_length",
  /** The model does not take an input the request's messages carry (`image`, `file`, `audio`, `video`). */
  inputModalities: "input_modalities",
  /** The model produces another kind of output than the request asks for (an embedding model for chat, or the reverse). */
  outputModalities: "output_modalities",
} as const;
export type EndpointFilterReason = (typeof endpointFilterReasons)[keyof typeof endpointFilterReasons];

/** An endpoint of a requested model that routing left out, and the first filter that excluded it. */
export const skippedEndpointSchema = z.object({
  endpointId: z.string(),
  modelId: z.string(),
  providerId: z.string(),
  reason: z.enum(Object.values(endpointFilterReasons) as [EndpointFilterReason, ...EndpointFilterReason[]]),
});
export type SkippedEndpoint = z.infer<typeof skippedEndpointSchema>;
