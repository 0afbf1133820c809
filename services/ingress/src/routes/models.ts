import { listModelsReplySchema } from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import type { ServiceClients } from "../plugins/service-clients.js";

/**
 * GET /api/v1/models: public, like OpenRouter's; the router answers from its in-memory catalog.
 * GET /api/v1/embeddings/models: the same listing narrowed to the models POST /api/v1/embeddings serves
 * (output modality `embeddings`), as OpenRouter lists them.
 */
export async function modelsRoutes(app: FastifyInstance, options: { clients: ServiceClients }): Promise<void> {
  const listModels = () => options.clients.request(options.clients.subjects.routerListModels, {}, listModelsReplySchema, "router");
  app.get("/api/v1/models", listModels);
  app.get("/api/v1/embeddings/models", async () => {
    const listing = await listModels();
    const data = listing.data.filter((model) => model.architecture.output_modalities.includes("embeddings"));
    return { ...listing, data, total_count: data.length };
  });
}
