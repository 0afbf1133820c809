import { parseUsdPerTokenToPicos, type EndpointPrice } from "@switchboard/contracts";
import type { CatalogPricing } from "./catalog-file-schema.js";

/**
 * A catalog entry's USD prices as exact pico-dollar integers, the form routing and billing use. A part the
 * entry leaves out stays absent (not undefined, so the published snapshot's JSON says the same), and
 * computeCostMicros applies its fallback.
 */
export function endpointPriceOf(pricing: CatalogPricing): EndpointPrice {
  const picos = (usd: string) => parseUsdPerTokenToPicos(usd).toString();
  const price: EndpointPrice = { promptPicosPerToken: picos(pricing.prompt), completionPicosPerToken: picos(pricing.completion) };
  if (pricing.input_cache_read !== undefined) price.cacheReadPicosPerToken = picos(pricing.input_cache_read);
  if (pricing.input_cache_write !== undefined) price.cacheWritePicosPerToken = picos(pricing.input_cache_write);
  if (pricing.internal_reasoning !== undefined) price.reasoningPicosPerToken = picos(pricing.internal_reasoning);
  if (pricing.request !== undefined) price.requestPicos = picos(pricing.request);
  if (pricing.image !== undefined) price.imagePicos = picos(pricing.image);
  return price;
}
