import {
  accountIdSchema,
  createKeyReplySchema,
  createKeyRequestSchema,
  deleteKeyReplySchema,
  gatewayError,
  gatewayErrorCodes,
  keyHashSchema,
  keyReplySchema,
  listKeysReplySchema,
  rateLimitBodySchema,
  SwitchboardError,
  updateKeyRequestSchema,
} from "@switchboard/contracts";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { KeyAuthenticator } from "../plugins/authenticate.js";
import type { ServiceClients } from "../plugins/service-clients.js";
import { createAuthorizeKeyManager, type KeyManager } from "./authorize-key-manager.js";
import { keyLimitBodyFields, keyLimitOf } from "./key-limit-body.js";
import { parseRequestPart } from "./parse-request-part.js";

const listKeysQuerySchema = z.object({
  account_id: accountIdSchema.optional(),
  include_disabled: z.enum(["true", "false"]).default("false"),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
const keyParamsSchema = z.object({ hash: keyHashSchema });
// Billing's own field rules, so a malformed id or name is a 400 here before any message is sent.
const createKeyBodySchema = z.object({
  account_id: accountIdSchema.optional(),
  name: createKeyRequestSchema.shape.name,
  management: z.boolean().optional(),
  ...keyLimitBodyFields.shape,
  rate_limit: rateLimitBodySchema.optional(),
});
// Strict: a misspelt field must not leave the key as it was while the caller thinks it changed.
const updateKeyBodySchema = z
  .strictObject({
    name: updateKeyRequestSchema.shape.name,
    disabled: updateKeyRequestSchema.shape.disabled,
    ...keyLimitBodyFields.shape,
    rate_limit: rateLimitBodySchema.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: "give at least one of name, disabled, limit, limit_reset and rate_limit",
  });
/** OpenRouter's key fields that Switchboard keys do not have yet: refused by name, never ignored. */
const unsupportedKeyFields = ["include_byok_in_limit", "expires_at"] as const;

/**
 * OpenRouter's key-management API: `GET/POST /keys`, `GET/PATCH/DELETE /keys/{hash}`. The admin key manages
 * every account's keys (it names the account) and alone creates management keys; a management key manages
 * its own account's keys, and another account's key is not found, as if unknown (authorize-key-manager.ts).
 * A management key may disable or delete itself: that is how an account revokes a leaked one without the
 * admin, who alone can create the next. Keys are named by their hash; the secret appears only in the
 * creation's answer. A change is audited by billing in its transaction and announced to every ingress, so a
 * disabled or deleted key stops working everywhere at once.
 */
export async function keyManagementRoutes(
  app: FastifyInstance,
  options: { clients: ServiceClients; adminKey: string | undefined; authenticator: KeyAuthenticator },
): Promise<void> {
  const { clients } = options;
  const authorize = createAuthorizeKeyManager(options);
  // What billing needs to confine a management key's look-up or change to its account; nothing for the admin.
  const managedAccount = (manager: KeyManager) => (manager.accountId === null ? {} : { accountId: manager.accountId });

  app.get("/api/v1/keys", async (request) => {
    const manager = await authorize(request);
    const query = parseRequestPart(listKeysQuerySchema, request.query);
    const payload = { accountId: accountOf(manager, query.account_id), includeDisabled: query.include_disabled === "true", offset: query.offset };
    return clients.request(clients.subjects.billingListKeys, payload, listKeysReplySchema, "billing");
  });

  app.post("/api/v1/keys", async (request, reply) => {
    const manager = await authorize(request);
    refuseUnsupportedFields(request.body);
    const body = parseRequestPart(createKeyBodySchema, request.body);
    if (body.management === true && manager.accountId !== null) {
      throw forbidden("Only the admin key can create management keys.");
    }
    const payload = {
      accountId: accountOf(manager, body.account_id),
      name: body.name,
      management: body.management === true,
      ...keyLimitOf(body),
      ...(body.rate_limit === undefined ? {} : { rateLimit: body.rate_limit }),
      caller: manager.caller,
    };
    const created = await clients.request(clients.subjects.billingCreateKey, payload, createKeyReplySchema, "billing");
    return reply.code(201).header("cache-control", "no-store").send(created);
  });

  app.get("/api/v1/keys/:hash", async (request) => {
    const manager = await authorize(request);
    const { hash } = parseRequestPart(keyParamsSchema, request.params);
    return clients.request(clients.subjects.billingGetKey, { keyHash: hash, ...managedAccount(manager) }, keyReplySchema, "billing");
  });

  app.patch("/api/v1/keys/:hash", async (request) => {
    const manager = await authorize(request);
    const { hash } = parseRequestPart(keyParamsSchema, request.params);
    refuseUnsupportedFields(request.body);
    const { limit, limit_reset, rate_limit: rateLimit, ...body } = parseRequestPart(updateKeyBodySchema, request.body);
    const payload = {
      keyHash: hash,
      ...body,
      ...keyLimitOf({ limit, limit_reset }),
      ...(rateLimit === undefined ? {} : { rateLimit }),
      ...managedAccount(manager),
      caller: manager.caller,
    };
    return clients.request(clients.subjects.billingUpdateKey, payload, keyReplySchema, "billing");
  });

  app.delete("/api/v1/keys/:hash", async (request) => {
    const manager = await authorize(request);
    const { hash } = parseRequestPart(keyParamsSchema, request.params);
    const payload = { keyHash: hash, ...managedAccount(manager), caller: manager.caller };
    return clients.request(clients.subjects.billingDeleteKey, payload, deleteKeyReplySchema, "billing");
  });
}

/** The account a listing or creation is about: the admin names it; a management key's is its own. */
function accountOf(manager: KeyManager, requested: string | undefined): string {
  if (manager.accountId === null) {
    if (requested === undefined) {
      throw new SwitchboardError(gatewayError(gatewayErrorCodes.invalidRequest, 400, "`account_id` is required with the admin key: name the account whose keys you mean."));
    }
    return requested;
  }
  if (requested !== undefined && requested !== manager.accountId) throw forbidden("A management key manages only its own account's keys.");
  return manager.accountId;
}

function forbidden(message: string): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.forbidden, 403, message));
}

function refuseUnsupportedFields(body: unknown): void {
  if (typeof body !== "object" || body === null) return;
  const field = unsupportedKeyFields.find((name) => name in body);
  if (field === undefined) return;
  throw new SwitchboardError(
    gatewayError(
      gatewayErrorCodes.invalidRequest,
      400,
      `\`${field}\` is not supported yet: Switchboard keys have no expiry or bring-your-own-key usage. Send \`name\`, \`limit\` and \`limit_reset\` (and \`disabled\` to change a key).`,
    ),
  );
}
