import { gatewayError, gatewayErrorCodes, generationIdSchema, getGenerationReplySchema, SwitchboardError } from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import type { KeyAuthenticator } from "../plugins/authenticate.js";
import { readBearerToken } from "../plugins/authenticate.js";
import type { ServiceClients } from "../plugins/service-clients.js";

/**
 * GET /api/v1/generation?id=gen-…: the metadata of one of the caller's generations (OpenRouter's shape).
 * The record appears once metadata-logging consumed the completion fact, usually within milliseconds;
 * until then, and for other accounts' ids, the answer is 404.
 */
export async function generationRoutes(app: FastifyInstance, options: { clients: ServiceClients; authenticator: KeyAuthenticator }): Promise<void> {
  app.get("/api/v1/generation", async (request) => {
    const key = await options.authenticator.authenticate(readBearerToken(request));
    const id = (request.query as Record<string, unknown>)["id"];
    if (typeof id !== "string" || id === "") {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "Query parameter `id` (a gen-… generation id) is required."));
    }
    // Checked here so a malformed id is a 400 and never reaches PostgreSQL (a NUL there is a 500).
    if (!generationIdSchema.safeParse(id).success) {
      throw new SwitchboardError(
        gatewayError(gatewayErrorCodes.invalidRequest, 400, "Query parameter `id` is not a generation id: expected gen- followed by a UUID, as in X-Generation-Id."),
      );
    }
    const { clients } = options;
    return clients.request(clients.subjects.loggingGetGeneration, { id, accountId: key.accountId }, getGenerationReplySchema, "metadata-logging");
  });
}
