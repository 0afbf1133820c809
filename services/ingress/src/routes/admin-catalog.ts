import { catalogEntryChangeReplySchema, catalogEntryTargetSchema, getCatalogReplySchema, type CatalogEntryTarget } from "@switchboard/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ServiceClients } from "../plugins/service-clients.js";
import { adminCallerOf, adminKeyFingerprint } from "./admin-caller.js";
import { parseRequestPart } from "./parse-request-part.js";
import { createRequireAdmin } from "./require-admin.js";

const providerParamsSchema = z.object({ id: z.string() });
const modelParamsSchema = z.object({ author: z.string(), slug: z.string() });
const endpointParamsSchema = z.object({ author: z.string(), slug: z.string(), provider: z.string() });
const disabledBodySchema = z.strictObject({ disabled: z.boolean() });

/**
 * The admin catalog API (issue 9), authorized by SWITCHBOARD_ADMIN_KEY like the rest of the admin API:
 * read the effective catalog (the seed file with run-time changes), and add, replace, disable or enable a
 * provider, a model with its endpoints, or one endpoint. A PUT body is the entry in the catalog file's own
 * shape; the router validates it, stores it and publishes the new routing snapshot before answering, so
 * every ingress and connector replica routes by it within a second. The routes are thin: the rules live
 * in the router.
 */
export async function adminCatalogRoutes(app: FastifyInstance, options: { clients: ServiceClients; adminKey: string | undefined }): Promise<void> {
  const { clients, adminKey } = options;
  const fingerprint = adminKey ? adminKeyFingerprint(adminKey) : "";
  const requireAdmin = createRequireAdmin(adminKey);

  app.get("/api/v1/admin/catalog", async (request) => {
    requireAdmin(request);
    return clients.request(clients.subjects.routerGetCatalog, {}, getCatalogReplySchema, "router");
  });

  const put = async (request: FastifyRequest, reply: FastifyReply, target: CatalogEntryTarget) => {
    const caller = adminCallerOf(request, fingerprint);
    const changed = await clients.request(clients.subjects.routerPutCatalogEntry, { target, document: request.body ?? null, caller }, catalogEntryChangeReplySchema, "router");
    return reply.code(changed.created ? 201 : 200).send({ data: changed.data });
  };
  const setDisabled = async (request: FastifyRequest, target: CatalogEntryTarget) => {
    const { disabled } = parseRequestPart(disabledBodySchema, request.body);
    const caller = adminCallerOf(request, fingerprint);
    const changed = await clients.request(clients.subjects.routerSetCatalogEntryDisabled, { target, disabled, caller }, catalogEntryChangeReplySchema, "router");
    return { data: changed.data };
  };
  const providerTarget = (request: FastifyRequest) => {
    requireAdmin(request);
    const { id } = parseRequestPart(providerParamsSchema, request.params);
    return parseRequestPart(catalogEntryTargetSchema, { kind: "provider", providerId: id });
  };
  const modelTarget = (request: FastifyRequest) => {
    requireAdmin(request);
    const { author, slug } = parseRequestPart(modelParamsSchema, request.params);
    return parseRequestPart(catalogEntryTargetSchema, { kind: "model", modelId: `${author}/${slug}` });
  };
  const endpointTarget = (request: FastifyRequest) => {
    requireAdmin(request);
    const { author, slug, provider } = parseRequestPart(endpointParamsSchema, request.params);
    return parseRequestPart(catalogEntryTargetSchema, { kind: "endpoint", modelId: `${author}/${slug}`, providerId: provider });
  };

  app.put("/api/v1/admin/providers/:id", async (request, reply) => put(request, reply, providerTarget(request)));
  app.patch("/api/v1/admin/providers/:id", async (request) => setDisabled(request, providerTarget(request)));
  app.put("/api/v1/admin/models/:author/:slug", async (request, reply) => put(request, reply, modelTarget(request)));
  app.patch("/api/v1/admin/models/:author/:slug", async (request) => setDisabled(request, modelTarget(request)));
  app.put("/api/v1/admin/models/:author/:slug/endpoints/:provider", async (request, reply) => put(request, reply, endpointTarget(request)));
  app.patch("/api/v1/admin/models/:author/:slug/endpoints/:provider", async (request) => setDisabled(request, endpointTarget(request)));
}
