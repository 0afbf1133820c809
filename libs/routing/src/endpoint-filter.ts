import { effectivePrices, endpointFilterReasons, type EndpointFilterReason, type ProviderPreferences, type RouteCandidate, type RouteRequest } from "@switchboard/contracts";
import { modelVariants, type ModelVariant } from "./model-variant.js";
import { priceLimitInPicos, priceLimitInPicosPerToken } from "./price-limit.js";

/** Says why an endpoint may not serve the request, or null when it may. */
export type EndpointFilter = (endpoint: RouteCandidate, variant: ModelVariant | null) => EndpointFilterReason | null;

/**
 * The hard filters of a request (OpenRouter's provider selection), prepared once per request: slugs
 * lower-cased into sets, price limits converted to picos per token. The first filter that fails names the
 * reason, in this order: provider lists, data policy, quantization, the `:free` variant, price, parameters,
 * context length. Context length comes last so that an endpoint skipped for it passed everything else:
 * then shortening the prompt is what would let it serve (select-route.ts answers 400 for that).
 */
export function createEndpointFilter(
  preferences: ProviderPreferences | undefined,
  parameters: readonly string[] | undefined,
  context?: RouteRequest["context"],
): EndpointFilter {
  const only = slugSet(preferences?.only);
  const ignore = slugSet(preferences?.ignore);
  // Without fallbacks, `order` is also an allow-list (OpenRouter: "only primary/order providers").
  const orderOnly = preferences?.allow_fallbacks === false ? slugSet(preferences.order) : undefined;
  const denyTraining = preferences?.data_collection === "deny";
  const zdrOnly = preferences?.zdr === true;
  const quantizations = preferences?.quantizations ? new Set<string>(preferences.quantizations) : undefined;
  const maximumPrompt = limitOf(preferences?.max_price?.prompt);
  const maximumCompletion = limitOf(preferences?.max_price?.completion);
  const maximumRequest = preferences?.max_price?.request === undefined ? undefined : priceLimitInPicos(preferences.max_price.request);
  const maximumImage = preferences?.max_price?.image === undefined ? undefined : priceLimitInPicos(preferences.max_price.image);
  // `max_price.audio` needs no check: the catalog prices no audio, so every endpoint is within any limit.
  const required = preferences?.require_parameters === true ? (parameters ?? []) : [];
  const contextTokens = context ? context.promptTokens + context.outputTokens : 0;
  return (endpoint, variant) => {
    const provider = endpoint.providerId.toLowerCase();
    if (only && !only.has(provider)) return endpointFilterReasons.notInOnly;
    if (ignore?.has(provider)) return endpointFilterReasons.ignored;
    if (orderOnly && !orderOnly.has(provider)) return endpointFilterReasons.notInOrder;
    if (denyTraining && endpoint.dataPolicy.training) return endpointFilterReasons.training;
    if (zdrOnly && !endpoint.dataPolicy.zdr) return endpointFilterReasons.zdr;
    // OpenRouter lists an endpoint of unstated precision as `unknown`; only that value selects it.
    if (quantizations && !quantizations.has(endpoint.quantization ?? "unknown")) return endpointFilterReasons.quantization;
    // Prices are parsed only when `:free` or a limit asks for them: most requests pay nothing for this.
    // Free means nothing at all is charged: no token of any kind, no request, no image.
    if (variant === modelVariants.free && Object.values(effectivePrices(endpoint.price)).some((picos) => picos !== 0n)) {
      return endpointFilterReasons.notFree;
    }
    if (
      (maximumPrompt !== undefined && BigInt(endpoint.price.promptPicosPerToken) > maximumPrompt) ||
      (maximumCompletion !== undefined && BigInt(endpoint.price.completionPicosPerToken) > maximumCompletion) ||
      (maximumRequest !== undefined && BigInt(endpoint.price.requestPicos ?? "0") > maximumRequest) ||
      (maximumImage !== undefined && BigInt(endpoint.price.imagePicos ?? "0") > maximumImage)
    ) {
      return endpointFilterReasons.maximumPrice;
    }
    for (const parameter of required) {
      if (!endpoint.supportedParameters.includes(parameter)) return endpointFilterReasons.requireParameters;
    }
    if (endpoint.contextLength < contextTokens) return endpointFilterReasons.contextLength;
    return null;
  };
}

function slugSet(slugs: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return slugs ? new Set(slugs.map((slug) => slug.toLowerCase())) : undefined;
}

function limitOf(usdPerMillionTokens: number | string | undefined): bigint | undefined {
  return usdPerMillionTokens === undefined ? undefined : priceLimitInPicosPerToken(usdPerMillionTokens);
}
