import { gatewayError, gatewayErrorCodes, quoteUserText, SwitchboardError } from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import { buildModelEndpointsListing } from "../listings/build-model-endpoints-listing.js";
import { buildProviderListings } from "../listings/build-provider-listings.js";
import type { LocalRouting } from "../routing/local-routing.js";

/**
 * GET /api/v1/providers and GET /api/v1/models/{author}/{slug}/endpoints: public like `/models`, answered
 * from the routing snapshot ingress already holds, so they ask no other service and cost chat requests nothing.
 */
export async function listingsRoutes(app: FastifyInstance, options: { routing: Pick<LocalRouting, "catalog"> }): Promise<void> {
  app.get("/api/v1/providers", async () => ({ data: buildProviderListings(options.routing.catalog().table) }));

  app.get<{ Params: { author: string; slug: string } }>("/api/v1/models/:author/:slug/endpoints", async (request) => {
    const { table, loadedAt } = options.routing.catalog();
    const modelId = `${request.params.author}/${request.params.slug}`;
    const model = table.models.get(modelId);
    if (!model) {
      throw new SwitchboardError(
        gatewayError(gatewayErrorCodes.modelNotFound, 404, `${quoteUserText(modelId)} is not a model of this Switchboard. GET /api/v1/models lists them.`, {
          metadata: { model: modelId },
        }),
      );
    }
    return buildModelEndpointsListing(model, loadedAt, table.health);
  });
}
