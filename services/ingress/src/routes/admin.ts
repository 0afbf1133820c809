import {
  accountIdSchema,
  accountSchema,
  adminListingMaximumLimit,
  createAccountRequestSchema,
  gatewayError,
  gatewayErrorCodes,
  listAdminAuditReplySchema,
  listSettlementAnomaliesReplySchema,
  parseUsdToMicros,
  setAccountDataPolicyRequestSchema,
  SwitchboardError,
} from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ServiceClients } from "../plugins/service-clients.js";
import { adminCallerOf, adminKeyFingerprint } from "./admin-caller.js";
import { parseRequestPart as parseBody } from "./parse-request-part.js";
import { createRequireAdmin } from "./require-admin.js";

const accountReplySchema = z.object({ data: accountSchema });
const createAccountBodySchema = z.object({ name: createAccountRequestSchema.shape.name });
const grantCreditsBodySchema = z.object({ amount_usd: z.union([z.string(), z.number()]).transform(String) });
const accountParamsSchema = z.object({ id: accountIdSchema });
// Strict: a misspelt field must not leave the policy as it was while the caller thinks it changed.
const accountPolicyBodySchema = z
  .strictObject({ data_collection: setAccountDataPolicyRequestSchema.shape.data_collection, zdr: setAccountDataPolicyRequestSchema.shape.zdr })
  .refine((body) => body.data_collection !== undefined || body.zdr !== undefined, { message: "give data_collection, zdr, or both" });
const listingQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(adminListingMaximumLimit).default(50) });

/**
 * The admin API, authorized by SWITCHBOARD_ADMIN_KEY: create accounts, grant credits, set an account's
 * data policy (keys are created through key-management.ts), and list what billing recorded: settlement anomalies (facts it held nothing for) and the audit of admin operations, newest
 * first. Every change names its caller (admin-caller.ts), which billing audits in the change's transaction.
 */
export async function adminRoutes(app: FastifyInstance, options: { clients: ServiceClients; adminKey: string | undefined }): Promise<void> {
  const { clients, adminKey } = options;
  const fingerprint = adminKey ? adminKeyFingerprint(adminKey) : "";
  const requireAdmin = createRequireAdmin(adminKey);

  app.post("/api/v1/admin/accounts", async (request, reply) => {
    requireAdmin(request);
    const body = parseBody(createAccountBodySchema, request.body);
    const caller = adminCallerOf(request, fingerprint);
    const account = await clients.request(clients.subjects.billingCreateAccount, { name: body.name, caller }, accountReplySchema, "billing");
    return reply.code(201).send(account);
  });

  app.get("/api/v1/admin/accounts/:id", async (request) => {
    requireAdmin(request);
    const { id } = parseBody(accountParamsSchema, request.params);
    return clients.request(clients.subjects.billingGetAccount, { accountId: id }, accountReplySchema, "billing");
  });

  // The account's data policy (README "Provider routing"); billing announces the account's keys so every ingress applies it at once.
  app.patch("/api/v1/admin/accounts/:id", async (request) => {
    requireAdmin(request);
    const { id } = parseBody(accountParamsSchema, request.params);
    const body = parseBody(accountPolicyBodySchema, request.body);
    const caller = adminCallerOf(request, fingerprint);
    return clients.request(clients.subjects.billingSetAccountDataPolicy, { accountId: id, ...body, caller }, accountReplySchema, "billing");
  });

  app.post("/api/v1/admin/accounts/:id/credits", async (request) => {
    requireAdmin(request);
    const { id } = parseBody(accountParamsSchema, request.params);
    const body = parseBody(grantCreditsBodySchema, request.body);
    let amountMicros: number;
    try {
      amountMicros = parseUsdToMicros(body.amount_usd);
    } catch (error) {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, `amount_usd: ${(error as Error).message}`));
    }
    if (amountMicros <= 0) throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "amount_usd must be greater than zero"));
    const caller = adminCallerOf(request, fingerprint);
    return clients.request(clients.subjects.billingGrantCredits, { accountId: id, amountMicros, caller }, accountReplySchema, "billing");
  });

  app.get("/api/v1/admin/anomalies", async (request) => {
    requireAdmin(request);
    const { limit } = parseBody(listingQuerySchema, request.query);
    return clients.request(clients.subjects.billingListSettlementAnomalies, { limit }, listSettlementAnomaliesReplySchema, "billing");
  });

  app.get("/api/v1/admin/audit", async (request) => {
    requireAdmin(request);
    const { limit } = parseBody(listingQuerySchema, request.query);
    return clients.request(clients.subjects.billingListAdminAudit, { limit }, listAdminAuditReplySchema, "billing");
  });
}
