import { listingArchitecture, listingPricing, type ModelListing } from "@switchboard/contracts";
import { compareEndpointsByPrice } from "@switchboard/routing";
import type { CatalogSnapshot } from "./catalog/catalog-snapshot.js";

/**
 * `GET /api/v1/models` in OpenRouter's shape: every model that has a usable endpoint, priced at its
 * cheapest one (the one routing tries first), with the union of the endpoints' supported parameters.
 * `created`: when the model entered the catalog (`createdAt`), else when the catalog was loaded.
 */
export function buildModelListings(catalog: CatalogSnapshot, createdAt: ReadonlyMap<string, Date> = new Map()): ModelListing[] {
  const listings: ModelListing[] = [];
  for (const model of catalog.models) {
    const created = Math.floor((createdAt.get(model.id) ?? catalog.loadedAt).getTime() / 1000);
    const cheapest = [...model.endpoints].sort(compareEndpointsByPrice)[0];
    if (!cheapest) continue;
    const supported = new Set(model.endpoints.flatMap((endpoint) => endpoint.supportedParameters));
    listings.push({
      id: model.id,
      canonical_slug: model.id,
      name: model.name,
      created,
      description: model.description,
      context_length: model.contextLength,
      architecture: listingArchitecture(model),
      pricing: listingPricing(cheapest.price),
      top_provider: {
        context_length: cheapest.contextLength,
        max_completion_tokens: cheapest.maxCompletionTokens,
        is_moderated: false,
      },
      per_request_limits: null,
      supported_parameters: [...supported].sort(),
      default_parameters: null,
      supported_voices: null,
      hugging_face_id: null,
      knowledge_cutoff: null,
      expiration_date: null,
      links: { details: `/api/v1/models/${model.id}/endpoints` },
    });
  }
  return listings;
}
