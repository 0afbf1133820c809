import {
  gatewayError,
  gatewayErrorCodes,
  quoteUserText,
  SwitchboardError,
  type ProviderPreferences,
  type RouteCandidate,
  type RouteReply,
  type RouteRequest,
  type RoutingModel,
} from "@switchboard/contracts";
import { compareEndpointsByPrice } from "./compare-endpoints-by-price.js";
import type { RoutingTable } from "./routing-table.js";

const routingDocumentation = "See the provider routing section of the README.";

/**
 * Orders the endpoints that may serve a request: for each requested model in order (model fallback),
 * its usable endpoints that pass the provider preferences, cheapest first unless `provider.order` says
 * otherwise. Pure: the routing table and the request are all it reads, so ingress runs it in process on
 * the router's snapshot and the router on its own catalog, with the same answers.
 */
export function selectRoute(catalog: Pick<RoutingTable, "models">, request: RouteRequest): RouteReply {
  const candidates: RouteCandidate[] = [];
  const emptyReasons: string[] = [];
  for (const modelId of request.models) {
    const model = catalog.models.get(modelId);
    if (!model) {
      // Only the primary model must exist; unknown fallback models are skipped like unavailable ones.
      if (modelId === request.models[0]) {
        throw new SwitchboardError(
          gatewayError(gatewayErrorCodes.modelNotFound, 400, `${quoteUserText(modelId)} is not a valid model ID. GET /api/v1/models lists the available models.`, {
            metadata: { model: modelId },
          }),
        );
      }
      emptyReasons.push(`${quoteUserText(modelId)} is not a valid model ID`);
      continue;
    }
    const selected = orderEndpoints(filterEndpoints(model.endpoints, request.provider), request.provider);
    if (selected.length === 0) emptyReasons.push(explainEmpty(model, request.provider));
    candidates.push(...selected);
  }
  const allowFallbacks = request.provider?.allow_fallbacks ?? true;
  if (candidates.length === 0) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.noEndpoints, 404, `No endpoints found for this request: ${emptyReasons.join("; ")}. ${routingDocumentation}`, {
        metadata: { models: request.models },
      }),
    );
  }
  const first = candidates[0] as RouteCandidate;
  return { candidates: allowFallbacks ? candidates : [first] };
}

function filterEndpoints(endpoints: RouteCandidate[], preferences: ProviderPreferences | undefined): RouteCandidate[] {
  if (!preferences) return endpoints;
  const only = preferences.only?.map((slug) => slug.toLowerCase());
  const ignore = new Set(preferences.ignore?.map((slug) => slug.toLowerCase()));
  const order = preferences.order?.map((slug) => slug.toLowerCase());
  return endpoints.filter((endpoint) => {
    const provider = endpoint.providerId.toLowerCase();
    if (only && !only.includes(provider)) return false;
    if (ignore.has(provider)) return false;
    // Without fallbacks, `order` is also a whitelist (OpenRouter: "only primary/order providers").
    if (preferences.allow_fallbacks === false && order && !order.includes(provider)) return false;
    if (preferences.data_collection === "deny" && endpoint.dataPolicy.training) return false;
    if (preferences.zdr === true && !endpoint.dataPolicy.zdr) return false;
    return true;
  });
}

function orderEndpoints(endpoints: RouteCandidate[], preferences: ProviderPreferences | undefined): RouteCandidate[] {
  const byPrice = [...endpoints].sort(compareEndpointsByPrice);
  const order = preferences?.order?.map((slug) => slug.toLowerCase());
  if (!order) return byPrice;
  const rank = (endpoint: RouteCandidate) => {
    const position = order.indexOf(endpoint.providerId.toLowerCase());
    return position === -1 ? order.length : position;
  };
  // Array.prototype.sort is stable, so endpoints outside `order` keep their price order.
  return byPrice.sort((left, right) => rank(left) - rank(right));
}

function explainEmpty(model: RoutingModel, preferences: ProviderPreferences | undefined): string {
  if (model.endpoints.length === 0) {
    const variables = model.unconfiguredProviders.map((provider) => provider.apiKeyEnv);
    return `no provider of "${model.id}" is configured (set ${variables.join(" or ")} for the router and provider-connector)`;
  }
  const filters = Object.keys(preferences ?? {}).join(", ");
  return `no provider of "${model.id}" satisfies the provider preferences (${filters})`;
}
