import { z } from "zod";
import { accountIdSchema, keyHashSchema } from "../identifiers.js";
import { adminCallerSchema } from "./admin-audit.js";
import { keySpendingSchema } from "./key-spending.js";
import { createKeyRequestSchema, keyLimitFields, keyRecordSchema } from "./billing.js";
import { keyRateLimitSchema, presentedRateLimitSchema } from "../keys/key-rate-limit.js";

// OpenRouter's key-management API (GET /keys, GET/PATCH/DELETE /keys/{hash}) and the calling key's own
// figures (GET /key, GET /credits), as billing answers them over NATS. Keys are named by their hash only.

/** How many keys one page of `GET /api/v1/keys` holds; `offset` pages on. */
export const keyListingPageSize = 100;

/** An account's keys, oldest first; deleted keys never, disabled keys only when asked for (OpenRouter's default). */
export const listKeysRequestSchema = z.strictObject({
  accountId: accountIdSchema,
  includeDisabled: z.boolean(),
  offset: z.number().int().min(0),
});
export type ListKeysRequest = z.infer<typeof listKeysRequestSchema>;

export const listKeysReplySchema = z.object({ data: z.array(keyRecordSchema) });
export type ListKeysReply = z.infer<typeof listKeysReplySchema>;

/**
 * The account a management key manages: a key of any other account is not found, as if unknown. Absent for
 * the admin key, which manages every account.
 */
const managedAccountIdSchema = accountIdSchema.optional();

/** One key by its hash; a deleted key is not found. */
export const getKeyRequestSchema = z.strictObject({ keyHash: keyHashSchema, accountId: managedAccountIdSchema });
export type GetKeyRequest = z.infer<typeof getKeyRequestSchema>;

export const keyReplySchema = z.object({ data: keyRecordSchema });
export type KeyReply = z.infer<typeof keyReplySchema>;

/** Renames, disables (enables), limits and/or sets the rate limit of a key; a field left out keeps its value, and at least one must be given. */
export const updateKeyRequestSchema = z.strictObject({
  keyHash: keyHashSchema,
  name: createKeyRequestSchema.shape.name.optional(),
  disabled: z.boolean().optional(),
  ...keyLimitFields.shape,
  /** A new rate limit, or null to leave the key to the ingress default; absent keeps it. */
  rateLimit: keyRateLimitSchema.nullable().optional(),
  accountId: managedAccountIdSchema,
  caller: adminCallerSchema,
});
export type UpdateKeyRequest = z.infer<typeof updateKeyRequestSchema>;

/** Deletes a key: it stops working on every ingress at once; its row stays for history. */
export const deleteKeyRequestSchema = z.strictObject({ keyHash: keyHashSchema, accountId: managedAccountIdSchema, caller: adminCallerSchema });
export type DeleteKeyRequest = z.infer<typeof deleteKeyRequestSchema>;

/** OpenRouter's answer to `DELETE /keys/{hash}`. */
export const deleteKeyReplySchema = z.object({ deleted: z.literal(true) });
export type DeleteKeyReply = z.infer<typeof deleteKeyReplySchema>;

/** The calling key's own figures (`GET /api/v1/key`); ingress sends the hash of the key it authenticated. */
export const getCurrentKeyRequestSchema = z.strictObject({ keyHash: keyHashSchema });
export type GetCurrentKeyRequest = z.infer<typeof getCurrentKeyRequestSchema>;

/**
 * OpenRouter's `GET /key` payload. Switchboard has no expiry or rate limits yet, so those fields hold what
 * OpenRouter answers for a key without them.
 */
export const currentKeySchema = z.object({
  /** The masked key, e.g. `sk-sb-v1-3f2...9ab`. */
  label: z.string(),
  ...keySpendingSchema.shape,
  /** True while the key's account has never been granted credits. */
  is_free_tier: z.boolean(),
  is_management_key: z.boolean(),
  is_provisioning_key: z.boolean(),
  creator_user_id: z.null(),
  expires_at: z.null(),
  /**
   * The rate limit in force for the key (its own, else the ingress default); `requests: -1` without one, as
   * OpenRouter answers (it calls the field deprecated).
   */
  rate_limit: presentedRateLimitSchema,
});
export type CurrentKey = z.infer<typeof currentKeySchema>;

export const currentKeyReplySchema = z.object({ data: currentKeySchema });
export type CurrentKeyReply = z.infer<typeof currentKeyReplySchema>;

/** The credits of an account (`GET /api/v1/credits`). */
export const getCreditsRequestSchema = z.strictObject({ accountId: accountIdSchema });
export type GetCreditsRequest = z.infer<typeof getCreditsRequestSchema>;

/** USD: everything ever granted, and everything ever charged; the balance is their difference. */
export const creditsReplySchema = z.object({ data: z.object({ total_credits: z.number(), total_usage: z.number() }) });
export type CreditsReply = z.infer<typeof creditsReplySchema>;
