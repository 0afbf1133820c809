import {
  endpointFilterReasons,
  gatewayError,
  gatewayErrorCodes,
  quoteUserText,
  SwitchboardError,
  type EndpointFilterReason,
  type GatewayError,
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
import { RoutingRefusal } from "./routing-refusal.js";
import type { RoutingTable } from "./routing-table.js";
import { supportingEndpointsFirst } from "./supporting-endpoints-first.js";

const routingDocumentation = "See the provider routing section of the README.";

/** The catalog's output modality of embedding models (OpenRouter's model listings use the same word). */
const embeddingsModality = "embeddings";

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
  const filter = createEndpointFilter(preferences, request.parameters, request.context);
  const modalities = request.inputModalities ?? [];
  const order = preferences?.order?.map((slug) => slug.toLowerCase());
  const allowFallbacks = preferences?.allow_fallbacks ?? true;
  // Only a request that states a preference pays for checking it.
  const performance =
    preferences?.preferred_max_latency === undefined && preferences?.preferred_min_throughput === undefined
      ? undefined
      : { maximumLatency: preferences.preferred_max_latency, minimumThroughput: preferences.preferred_min_throughput };
  const candidates: RouteCandidate[] = [];
  const skipped: SkippedEndpoint[] = [];
  const emptyReasons: string[] = [];
  // The largest context window among the endpoints left out only because the prompt did not fit.
  let largestTooSmallContext = 0;
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
    // An embedding model cannot chat and a chat model cannot embed: one array lookup per model asked for.
    if (model.outputModalities.includes(embeddingsModality) !== (request.output === embeddingsModality)) {
      for (const endpoint of model.endpoints) skipped.push(skippedEndpoint(endpoint, endpointFilterReasons.outputModalities));
      emptyReasons.push(request.output === embeddingsModality ? `"${model.id}" is not an embedding model` : `"${model.id}" is an embedding model (use POST /api/v1/embeddings)`);
      continue;
    }
    // Modalities are the model's (the catalog lists them per model), so one check leaves out all its endpoints.
    const missing = modalities.filter((modality) => !model.inputModalities.includes(modality));
    if (missing.length > 0) {
      for (const endpoint of model.endpoints) skipped.push(skippedEndpoint(endpoint, endpointFilterReasons.inputModalities));
      emptyReasons.push(`"${model.id}" does not take ${missing.join(" or ")} input`);
      continue;
    }
    const passing: RouteCandidate[] = [];
    const reasons = new Set<EndpointFilterReason>();
    for (const endpoint of model.endpoints) {
      const reason = filter(endpoint, variant);
      if (reason === null) passing.push(endpoint);
      else {
        skipped.push(skippedEndpoint(endpoint, reason));
        reasons.add(reason);
        if (reason === endpointFilterReasons.contextLength) largestTooSmallContext = Math.max(largestTooSmallContext, endpoint.contextLength);
      }
    }
    const ranked = softOrdered(rankEndpoints(passing, { order, sortBy: sortOf(preferences?.sort, variant), ...(performance ? { performance } : {}) }, inputs), request.parameters, order, inputs);
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
    // An endpoint left out for its context passed every other filter: a shorter request would be served.
    if (request.context && largestTooSmallContext > 0) throw new RoutingRefusal(contextLengthError(request.models, excludedBy, request.context, largestTooSmallContext), skipped);
    if (excludedBy.length === 1 && excludedBy[0] === endpointFilterReasons.inputModalities) {
      // OpenRouter's wording, e.g. "No endpoints found that support image input".
      throw new RoutingRefusal(
        gatewayError(gatewayErrorCodes.noEndpoints, 404, `No endpoints found that support ${modalities.join(" and ")} input. ${routingDocumentation}`, {
          metadata: { models: request.models, excluded_by: excludedBy },
        }),
        skipped,
      );
    }
    throw new RoutingRefusal(
      gatewayError(gatewayErrorCodes.noEndpoints, 404, `No endpoints found for this request: ${emptyReasons.join("; ")}. ${routingDocumentation}`, {
        metadata: { models: request.models, excluded_by: excludedBy },
      }),
      skipped,
    );
  }
  // `partition: "none"` ranks the endpoints of all models together; the stable sort keeps model order on ties.
  if (typeof preferences?.sort === "object" && preferences.sort.partition === "none") {
    return { candidates: softOrdered(rankEndpoints(candidates, { order, sortBy: preferences.sort.by, ...(performance ? { performance } : {}) }, inputs), request.parameters, order, inputs), skipped };
  }
  return { candidates, skipped };
}

/**
 * OpenRouter's soft filter: endpoints supporting the request's tools / response_format first. An explicit
 * `order` is the client's own choice of who goes first, so it is left as it is.
 */
function softOrdered(ranked: RouteCandidate[], parameters: readonly string[] | undefined, order: readonly string[] | undefined, inputs: RankingInputs): RouteCandidate[] {
  return order ? ranked : supportingEndpointsFirst(ranked, parameters, inputs.health);
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

/** OpenRouter's context-length refusal (400), naming the largest window that was too small. */
function contextLengthError(models: string[], excludedBy: string[], context: NonNullable<RouteRequest["context"]>, largestContext: number): GatewayError {
  const requested = context.promptTokens + context.outputTokens;
  return gatewayError(
      gatewayErrorCodes.invalidRequest,
      400,
      `This endpoint's maximum context length is ${largestContext} tokens. However, you requested about ${requested} tokens (${context.promptTokens} of text input, ${context.outputTokens} in the output). Please reduce the length of either one.`,
      {
        metadata: {
          models,
          excluded_by: excludedBy,
          maximum_context_length: largestContext,
          requested_tokens: requested,
          prompt_tokens: context.promptTokens,
          output_tokens: context.outputTokens,
        },
      },
    );
}

function explainEmpty(model: RoutingModel, reasons: EndpointFilterReason[]): string {
  if (model.endpoints.length === 0) {
    const variables = model.unconfiguredProviders.map((provider) => provider.apiKeyEnv);
    return `no provider of "${model.id}" is configured (set ${variables.join(" or ")} for the router and provider-connector)`;
  }
  return `no provider of "${model.id}" passes the request's filters (${reasons.join(", ")})`;
}
