import { endpointHealthStatuses, listingArchitecture, listingPricing, type EndpointHealth, type ListModelEndpointsReply, type RoutingModel } from "@switchboard/contracts";
import { compareEndpointsByPrice } from "@switchboard/routing";
import { dataPolicyListing } from "./data-policy-listing.js";

/**
 * `GET /api/v1/models/{author}/{slug}/endpoints` for one catalog model: its usable endpoints cheapest first
 * (routing's order without preferences), in OpenRouter's shape, with the health the routing snapshot holds
 * (issue 9): `status` 0 while healthy and -1 while ejected (OpenRouter lists a normal endpoint as 0), and
 * `uptime_last_5m` as a percentage. The router measures over 30 s and 5 minutes, not 30 minutes or a day,
 * and keeps medians, not OpenRouter's percentiles: those fields stay null rather than mislabelled. An
 * endpoint without reports has null everywhere.
 */
export function buildModelEndpointsListing(model: RoutingModel, loadedAt: string, health: ReadonlyMap<string, EndpointHealth> = new Map()): ListModelEndpointsReply {
  return {
    data: {
      id: model.id,
      name: model.name,
      created: Math.floor(Date.parse(loadedAt) / 1000),
      description: model.description,
      architecture: listingArchitecture(model),
      endpoints: [...model.endpoints].sort(compareEndpointsByPrice).map((endpoint) => {
        const measured = health.get(endpoint.endpointId);
        return {
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
          status: measured === undefined ? null : measured.status === endpointHealthStatuses.healthy ? 0 : -1,
          uptime_last_5m: measured === undefined || measured.uptimeLast5Minutes === null ? null : measured.uptimeLast5Minutes * 100,
          uptime_last_30m: null,
          uptime_last_1d: null,
          latency_last_30m: null,
          throughput_last_30m: null,
          data_policy: dataPolicyListing(endpoint.dataPolicy),
        };
      }),
    },
  };
}
