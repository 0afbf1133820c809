import type { ModelListing } from "../messages/list-models.js";
import { effectivePrices } from "../pricing/compute-cost.js";
import type { EndpointPrice } from "../pricing/endpoint-price.js";
import { formatPicosAsUsd } from "../pricing/usd-amount.js";

/**
 * An endpoint's price in OpenRouter's listings: USD per token (per request, per image) as decimal strings.
 * `internal_reasoning`, `request` and `image` are what Switchboard charges for each, fallbacks applied: a
 * reasoning token costs the completion price unless the catalog prices it apart, so it is listed as that
 * price rather than OpenRouter's "0" (a client adding up a cost from the listing gets the charge).
 * `input_cache_read` / `input_cache_write` appear only when the catalog prices them, as OpenRouter lists
 * them only for endpoints with a cache price. Web search is not offered, hence "0".
 */
export function listingPricing(price: EndpointPrice): ModelListing["pricing"] {
  const prices = effectivePrices(price);
  return {
    prompt: formatPicosAsUsd(prices.prompt),
    completion: formatPicosAsUsd(prices.completion),
    request: formatPicosAsUsd(prices.request),
    image: formatPicosAsUsd(prices.image),
    web_search: "0",
    internal_reasoning: formatPicosAsUsd(prices.reasoning),
    ...(price.cacheReadPicosPerToken === undefined ? {} : { input_cache_read: formatPicosAsUsd(prices.cacheRead) }),
    ...(price.cacheWritePicosPerToken === undefined ? {} : { input_cache_write: formatPicosAsUsd(prices.cacheWrite) }),
  };
}
