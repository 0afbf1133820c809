import {
  accountIdSchema,
  accountSchema,
  accountStatementReplySchema,
  adminListingMaximumLimit,
  createAccountRequestSchema,
  gatewayError,
  gatewayErrorCodes,
  ledgerReasonSchema,
  listAccountsReplySchema,
  listAdminAuditReplySchema,
  listSettlementAnomaliesReplySchema,
  parseSignedUsdToMicros,
  parseUsdToMicros,
  reconcileLedgerReplySchema,
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
const usdAmountSchema = z.union([z.string(), z.number()]).transform(String);
const grantCreditsBodySchema = z.object({ amount_usd: usdAmountSchema, reason: ledgerReasonSchema.optional() });
// Strict: a misspelt field must not be ignored when money moves.
const adjustCreditsBodySchema = z.strictObject({ amount_usd: usdAmountSchema, reason: ledgerReasonSchema });
const accountParamsSchema = z.object({ id: accountIdSchema });
// Strict: a misspelt field must not leave the policy as it was while the caller thinks it changed.
const accountPolicyBodySchema = z
  .strictObject({ data_collection: setAccountDataPolicyRequestSchema.shape.data_collection, zdr: setAccountDataPolicyRequestSchema.shape.zdr })
  .refine((body) => body.data_collection !== undefined || body.zdr !== undefined, { message: "give data_collection, zdr, or both" });
const listingLimitSchema = z.coerce.number().int().min(1).max(adminListingMaximumLimit).default(50);
const listingQuerySchema = z.object({ limit: listingLimitSchema });
const accountsQuerySchema = z.object({ limit: listingLimitSchema, cursor: accountIdSchema.optional() });
const statementQuerySchema = z.object({ limit: listingLimitSchema, before: z.coerce.number().int().positive().optional() });

/**
 * The admin API, authorized by SWITCHBOARD_ADMIN_KEY: create and list accounts, grant and adjust credits
 * (ledger transactions with a reason), read an account's statement, reconcile the ledger, set an account's
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
    const reason = body.reason === undefined ? {} : { reason: body.reason };
    return clients.request(clients.subjects.billingGrantCredits, { accountId: id, amountMicros, ...reason, caller }, accountReplySchema, "billing");
  });

  // A signed correction with a required reason: a ledger transaction against funding, never a balance edit.
  app.post("/api/v1/admin/accounts/:id/adjustments", async (request) => {
    requireAdmin(request);
    const { id } = parseBody(accountParamsSchema, request.params);
    const body = parseBody(adjustCreditsBodySchema, request.body);
    let amountMicros: number;
    try {
      amountMicros = parseSignedUsdToMicros(body.amount_usd);
    } catch (error) {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, `amount_usd: ${(error as Error).message}`));
    }
    if (amountMicros === 0) throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "amount_usd must not be zero"));
    const caller = adminCallerOf(request, fingerprint);
    return clients.request(clients.subjects.billingAdjustCredits, { accountId: id, amountMicros, reason: body.reason, caller }, accountReplySchema, "billing");
  });

  app.get("/api/v1/admin/accounts", async (request) => {
    requireAdmin(request);
    const { limit, cursor } = parseBody(accountsQuerySchema, request.query);
    return clients.request(clients.subjects.billingListAccounts, { limit, ...(cursor === undefined ? {} : { cursor }) }, listAccountsReplySchema, "billing");
  });

  app.get("/api/v1/admin/accounts/:id/statement", async (request) => {
    requireAdmin(request);
    const { id } = parseBody(accountParamsSchema, request.params);
    const { limit, before } = parseBody(statementQuerySchema, request.query);
    const page = before === undefined ? {} : { before };
    return clients.request(clients.subjects.billingGetAccountStatement, { accountId: id, limit, ...page }, accountStatementReplySchema, "billing");
  });

  // Read-only; `balanced: false` lists the drift (the CLI's `reconcile` also exits non-zero).
  app.get("/api/v1/admin/reconciliation", async (request) => {
    requireAdmin(request);
    return clients.request(clients.subjects.billingReconcileLedger, {}, reconcileLedgerReplySchema, "billing");
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
