import { endpointHealthStatuses, listingArchitecture, listingPricing, type EndpointHealth, type ListModelEndpointsReply, type RoutingModel } from "@switchboard/contracts";
import { compareEndpointsByPrice } from "@switchboard/routing";
import { dataPolicyListing } from "./data-policy-listing.js";

/**
 * `GET /api/v1/models/{author}/{slug}/endpoints` for one catalog model: its usable endpoints cheapest first
 * (routing's order without preferences), in OpenRouter's shape, with the health the routing snapshot holds
 * (issue 9): `status` 0 while healthy and -1 while ejected (OpenRouter lists a normal endpoint as 0), and
 * `uptime_last_5m`, `uptime_last_30m` and `uptime_last_1d` as percentages, `latency_last_30m` (time to
 * first token, in milliseconds as OpenRouter's schema describes it) and `throughput_last_30m` (output
 * tokens per second) as p50/p75/p90/p99. A figure the router has not measured (no traffic in its window,
 * or a router that predates it) is null; an endpoint without reports has null everywhere.
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
          uptime_last_5m: percentOf(measured?.uptimeLast5Minutes),
          uptime_last_30m: percentOf(measured?.uptimeLast30Minutes),
          uptime_last_1d: percentOf(measured?.uptimeLastDay),
          latency_last_30m: measured?.latencyLast30Minutes ?? null,
          throughput_last_30m: measured?.throughputLast30Minutes ?? null,
          data_policy: dataPolicyListing(endpoint.dataPolicy),
        };
      }),
    },
  };
}

/** A share as OpenRouter's percentage, to a hundredth of a percent; null when not measured. */
function percentOf(share: number | null | undefined): number | null {
  return share === null || share === undefined ? null : Math.round(share * 10_000) / 100;
}
