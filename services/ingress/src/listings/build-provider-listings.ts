import type { ProviderListing } from "@switchboard/contracts";
import type { RoutingTable } from "@switchboard/routing";
import { dataPolicyListing } from "./data-policy-listing.js";

/**
 * `GET /api/v1/providers`: every provider that serves at least one model of the routing snapshot (a
 * provider whose key is not set cannot be routed to, so it is not listed), by slug, with its data policy.
 */
export function buildProviderListings(table: Pick<RoutingTable, "endpoints">): ProviderListing[] {
  const providers = new Map<string, ProviderListing>();
  for (const endpoint of table.endpoints.values()) {
    if (providers.has(endpoint.providerId)) continue;
    providers.set(endpoint.providerId, {
      name: endpoint.providerName,
      slug: endpoint.providerId,
      privacy_policy_url: null,
      terms_of_service_url: null,
      status_page_url: null,
      headquarters: null,
      datacenters: null,
      data_policy: dataPolicyListing(endpoint.dataPolicy),
    });
  }
  return [...providers.values()].sort((left, right) => left.slug.localeCompare(right.slug));
}
