import { listingArchitecture, listingPricing, type ListModelEndpointsReply, type RoutingModel } from "@switchboard/contracts";
import { compareEndpointsByPrice } from "@switchboard/routing";
import { dataPolicyListing } from "./data-policy-listing.js";

/**
 * `GET /api/v1/models/{author}/{slug}/endpoints` for one catalog model: its usable endpoints cheapest first
 * (routing's order without preferences), in OpenRouter's shape. Health figures are null: nothing measures
 * them yet (issue 9, health slice).
 */
export function buildModelEndpointsListing(model: RoutingModel, loadedAt: string): ListModelEndpointsReply {
  return {
    data: {
      id: model.id,
      name: model.name,
      created: Math.floor(Date.parse(loadedAt) / 1000),
      description: model.description,
      architecture: listingArchitecture(model),
      endpoints: [...model.endpoints].sort(compareEndpointsByPrice).map((endpoint) => ({
        name: `${endpoint.providerName} | ${model.id}`,
        model_id: model.id,
        model_name: model.name,
        provider_name: endpoint.providerName,
        tag: endpoint.providerId,
        context_length: endpoint.contextLength,
        max_completion_tokens: endpoint.maxCompletionTokens,
        max_prompt_tokens: null,
        pricing: listingPricing(endpoint.price),
        quantization: endpoint.quantization ?? null,
        supported_parameters: endpoint.supportedParameters,
        supports_implicit_caching: false,
        status: null,
        uptime_last_5m: null,
        uptime_last_30m: null,
        uptime_last_1d: null,
        latency_last_30m: null,
        throughput_last_30m: null,
        data_policy: dataPolicyListing(endpoint.dataPolicy),
      })),
    },
  };
}
