import type { ModelListing } from "../messages/list-models.js";
import { formatPicosAsUsd } from "../pricing/usd-amount.js";

/**
 * An endpoint's price in OpenRouter's listings: USD per token as decimal strings. Switchboard charges
 * nothing per request, image, web search or reasoning token beyond the completion price, hence "0".
 */
export function listingPricing(price: { promptPicosPerToken: string; completionPicosPerToken: string }): ModelListing["pricing"] {
  return {
    prompt: formatPicosAsUsd(BigInt(price.promptPicosPerToken)),
    completion: formatPicosAsUsd(BigInt(price.completionPicosPerToken)),
    request: "0",
    image: "0",
    web_search: "0",
    internal_reasoning: "0",
  };
}
