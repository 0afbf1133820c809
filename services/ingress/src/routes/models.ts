import { listModelsReplySchema } from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import type { ServiceClients } from "../plugins/service-clients.js";

/** GET /api/v1/models: public, like OpenRouter's; the router answers from its in-memory catalog. */
export async function modelsRoutes(app: FastifyInstance, options: { clients: ServiceClients }): Promise<void> {
  app.get("/api/v1/models", async () => {
    const { clients } = options;
    return clients.request(clients.subjects.routerListModels, {}, listModelsReplySchema, "router");
  });
}
