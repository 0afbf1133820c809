import {
  accountIdSchema,
  deleteKeyReplySchema,
  gatewayError,
  gatewayErrorCodes,
  keyHashSchema,
  keyReplySchema,
  listKeysReplySchema,
  SwitchboardError,
  updateKeyRequestSchema,
} from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ServiceClients } from "../plugins/service-clients.js";
import { adminCallerOf, adminKeyFingerprint } from "./admin-caller.js";
import { parseRequestPart } from "./parse-request-part.js";
import { createRequireAdmin } from "./require-admin.js";

const listKeysQuerySchema = z.object({
  account_id: accountIdSchema,
  include_disabled: z.enum(["true", "false"]).default("false"),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
const keyParamsSchema = z.object({ hash: keyHashSchema });
// Strict: a misspelt field must not leave the key as it was while the caller thinks it changed.
const updateKeyBodySchema = z
  .strictObject({ name: updateKeyRequestSchema.shape.name, disabled: updateKeyRequestSchema.shape.disabled })
  .refine((body) => body.name !== undefined || body.disabled !== undefined, { message: "give name, disabled or both" });
/** OpenRouter's PATCH fields that Switchboard keys do not have yet: refused by name, never ignored. */
const unsupportedUpdateFields = ["limit", "limit_reset", "include_byok_in_limit", "expires_at"] as const;

/**
 * OpenRouter's key-management API (`GET /keys`, `GET/PATCH/DELETE /keys/{hash}`; `POST /keys` is in
 * admin.ts), authorized by SWITCHBOARD_ADMIN_KEY until management keys exist (a later slice of issue 10).
 * Keys are named by their hash; the secret is never shown again. A change is audited by billing in its
 * transaction and announced to every ingress, so a disabled or deleted key stops working everywhere at once.
 */
export async function keyManagementRoutes(app: FastifyInstance, options: { clients: ServiceClients; adminKey: string | undefined }): Promise<void> {
  const { clients, adminKey } = options;
  const fingerprint = adminKey ? adminKeyFingerprint(adminKey) : "";
  const requireAdmin = createRequireAdmin(adminKey);

  app.get("/api/v1/keys", async (request) => {
    requireAdmin(request);
    const query = parseRequestPart(listKeysQuerySchema, request.query);
    const payload = { accountId: query.account_id, includeDisabled: query.include_disabled === "true", offset: query.offset };
    return clients.request(clients.subjects.billingListKeys, payload, listKeysReplySchema, "billing");
  });

  app.get("/api/v1/keys/:hash", async (request) => {
    requireAdmin(request);
    const { hash } = parseRequestPart(keyParamsSchema, request.params);
    return clients.request(clients.subjects.billingGetKey, { keyHash: hash }, keyReplySchema, "billing");
  });

  app.patch("/api/v1/keys/:hash", async (request) => {
    requireAdmin(request);
    const { hash } = parseRequestPart(keyParamsSchema, request.params);
    refuseUnsupportedFields(request.body);
    const body = parseRequestPart(updateKeyBodySchema, request.body);
    const caller = adminCallerOf(request, fingerprint);
    return clients.request(clients.subjects.billingUpdateKey, { keyHash: hash, ...body, caller }, keyReplySchema, "billing");
  });

  app.delete("/api/v1/keys/:hash", async (request) => {
    requireAdmin(request);
    const { hash } = parseRequestPart(keyParamsSchema, request.params);
    const caller = adminCallerOf(request, fingerprint);
    return clients.request(clients.subjects.billingDeleteKey, { keyHash: hash, caller }, deleteKeyReplySchema, "billing");
  });
}

function refuseUnsupportedFields(body: unknown): void {
  if (typeof body !== "object" || body === null) return;
  const field = unsupportedUpdateFields.find((name) => name in body);
  if (field === undefined) return;
  throw new SwitchboardError(
    gatewayError(gatewayErrorCodes.invalidRequest, 400, `\`${field}\` is not supported yet: Switchboard keys have no spending limits or expiry. Send only \`name\` and \`disabled\`.`),
  );
}
