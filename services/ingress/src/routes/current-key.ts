import { creditsReplySchema, currentKeyReplySchema, presentRateLimit, rateLimitSources, type KeyRateLimit } from "@switchboard/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { KeyAuthenticator } from "../plugins/authenticate.js";
import { readBearerToken } from "../plugins/authenticate.js";
import type { ServiceClients } from "../plugins/service-clients.js";

/**
 * What a key can ask about itself: `GET /key` (and its legacy alias `GET /auth/key`, which many clients
 * still call) in OpenRouter's shape, and `GET /credits` for the key's account. OpenRouter now asks a
 * management key for `/credits`; its older API let any key read them, so both an inference key and a
 * management key may read their own account's credits.
 */
export async function currentKeyRoutes(
  app: FastifyInstance,
  options: { clients: ServiceClients; authenticator: KeyAuthenticator; defaultRateLimit: KeyRateLimit | null },
): Promise<void> {
  const { clients, authenticator, defaultRateLimit } = options;
  const authenticate = (request: FastifyRequest) => authenticator.authenticate(readBearerToken(request));

  const currentKey = async (request: FastifyRequest) => {
    const key = await authenticate(request);
    const reply = await clients.request(clients.subjects.billingGetCurrentKey, { keyHash: key.keyHash }, currentKeyReplySchema, "billing");
    // Billing shows the key's own limit; the ingress default, which only ingress knows, applies without one.
    if (reply.data.rate_limit.requests === -1 && defaultRateLimit !== null) {
      reply.data.rate_limit = presentRateLimit(defaultRateLimit, rateLimitSources.ingressDefault);
    }
    return reply;
  };
  app.get("/api/v1/key", currentKey);
  app.get("/api/v1/auth/key", currentKey);

  app.get("/api/v1/credits", async (request) => {
    const key = await authenticate(request);
    return clients.request(clients.subjects.billingGetCredits, { accountId: key.accountId }, creditsReplySchema, "billing");
  });
}
