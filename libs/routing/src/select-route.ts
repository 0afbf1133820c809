import {
  endpointFilterReasons,
  gatewayError,
  gatewayErrorCodes,
  quoteUserText,
  SwitchboardError,
  type EndpointFilterReason,
  type RouteCandidate,
  type RouteReply,
  type RouteRequest,
  type RoutingModel,
  type SkippedEndpoint,
  type SortOrder,
} from "@switchboard/contracts";
import { createEndpointFilter } from "./endpoint-filter.js";
import { modelVariants, resolveModelVariant, type ModelVariant } from "./model-variant.js";
import { rankEndpoints, type RankingInputs } from "./rank-endpoints.js";
import type { RoutingTable } from "./routing-table.js";

const routingDocumentation = "See the provider routing section of the README.";

/**
 * Orders the endpoints that may serve a request: for each requested model in order (model fallback), its
 * usable endpoints that pass the request's filters (endpoint-filter.ts), ranked by `provider.order`
 * first, then by the sort, else by health and price (rank-endpoints.ts). Every endpoint left out is
 * reported with its reason. Pure: the routing table, the request and the ranking inputs (health figures, a
 * random source) are all it reads, so ingress runs it in process on the router's snapshot and the router
 * on its own catalog, with the same answers for the same random draws.
 */
export function selectRoute(catalog: Pick<RoutingTable, "models">, request: RouteRequest, inputs: RankingInputs = {}): RouteReply {
  const preferences = request.provider;
  const filter = createEndpointFilter(preferences, request.parameters);
  const order = preferences?.order?.map((slug) => slug.toLowerCase());
  const allowFallbacks = preferences?.allow_fallbacks ?? true;
  const performance = { maximumLatency: preferences?.preferred_max_latency, minimumThroughput: preferences?.preferred_min_throughput };
  const candidates: RouteCandidate[] = [];
  const skipped: SkippedEndpoint[] = [];
  const emptyReasons: string[] = [];
  for (const modelId of request.models) {
    const resolved = resolveModelVariant(catalog.models, modelId);
    if (!resolved) {
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
    const { model, variant } = resolved;
    const passing: RouteCandidate[] = [];
    const reasons = new Set<EndpointFilterReason>();
    for (const endpoint of model.endpoints) {
      const reason = filter(endpoint, variant);
      if (reason === null) passing.push(endpoint);
      else {
        skipped.push(skippedEndpoint(endpoint, reason));
        reasons.add(reason);
      }
    }
    const ranked = rankEndpoints(passing, { order, sortBy: sortOf(preferences?.sort, variant), performance }, inputs);
    // Without fallbacks and without `order`, a model's best endpoint is its only one (OpenRouter: "only
    // the primary provider"); with `order`, the filter already kept just the `order` providers.
    const selected = allowFallbacks || order ? ranked : ranked.slice(0, 1);
    for (const endpoint of ranked.slice(selected.length)) skipped.push(skippedEndpoint(endpoint, endpointFilterReasons.fallbacksNotAllowed));
    if (selected.length === 0) emptyReasons.push(explainEmpty(model, [...reasons]));
    // `models` may name one catalog model twice (`a` and `a:floor`): each endpoint is tried once, at its first place.
    for (const endpoint of selected) if (!candidates.includes(endpoint)) candidates.push(endpoint);
  }
  if (candidates.length === 0) {
    const excludedBy = [...new Set(skipped.map((endpoint) => endpoint.reason))];
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.noEndpoints, 404, `No endpoints found for this request: ${emptyReasons.join("; ")}. ${routingDocumentation}`, {
        metadata: { models: request.models, excluded_by: excludedBy },
      }),
    );
  }
  // `partition: "none"` ranks the endpoints of all models together; the stable sort keeps model order on ties.
  if (typeof preferences?.sort === "object" && preferences.sort.partition === "none") {
    return { candidates: rankEndpoints(candidates, { order, sortBy: preferences.sort.by, performance }, inputs), skipped };
  }
  return { candidates, skipped };
}

/** The request's `provider.sort` wins over a variant's (`:floor` is price, `:nitro` throughput). */
function sortOf(sort: NonNullable<RouteRequest["provider"]>["sort"], variant: ModelVariant | null): SortOrder | undefined {
  if (sort !== undefined) return typeof sort === "string" ? sort : sort.by;
  if (variant === modelVariants.floor) return "price";
  if (variant === modelVariants.nitro) return "throughput";
  return undefined;
}

function skippedEndpoint(endpoint: RouteCandidate, reason: EndpointFilterReason): SkippedEndpoint {
  return { endpointId: endpoint.endpointId, modelId: endpoint.modelId, providerId: endpoint.providerId, reason };
}

function explainEmpty(model: RoutingModel, reasons: EndpointFilterReason[]): string {
  if (model.endpoints.length === 0) {
    const variables = model.unconfiguredProviders.map((provider) => provider.apiKeyEnv);
    return `no provider of "${model.id}" is configured (set ${variables.join(" or ")} for the router and provider-connector)`;
  }
  return `no provider of "${model.id}" passes the request's filters (${reasons.join(", ")})`;
}
