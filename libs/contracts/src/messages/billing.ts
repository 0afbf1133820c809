import { z } from "zod";
import { accountIdSchema, generationIdSchema, keyHashSchema } from "../identifiers.js";
import { adminCallerSchema } from "./admin-audit.js";
import { keyLimitResetSchema, keySpendingSchema } from "./key-spending.js";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";
import { keyRateLimitSchema, presentedRateLimitSchema } from "../keys/key-rate-limit.js";

/** An account or key name: shown in listings and stored in PostgreSQL, so one line without NUL. */
const nameSchema = z.string().trim().pipe(singleLineTextSchema(200));

/** Ingress sends the SHA-256 of the presented key, never the key itself. */
export const authenticateKeyRequestSchema = z.object({ keyHash: keyHashSchema });
export type AuthenticateKeyRequest = z.infer<typeof authenticateKeyRequestSchema>;

/**
 * What every request of an account must satisfy, in the words of OpenRouter's `provider` object: with
 * `data_collection: "deny"` no endpoint whose provider may train on the data, with `zdr: true` only
 * zero-data-retention endpoints. A request's own `provider` fields can tighten it, never loosen it.
 */
export const accountDataPolicySchema = z.object({
  data_collection: z.enum(["allow", "deny"]),
  zdr: z.boolean(),
});
export type AccountDataPolicy = z.infer<typeof accountDataPolicySchema>;

export const authenticatedKeySchema = z.object({
  keyId: z.string(),
  keyHash: z.string(),
  accountId: z.string(),
  name: z.string(),
  /** The account's data policy. Absent means the account asks for nothing (what a billing older than this field sends). */
  dataPolicy: accountDataPolicySchema.optional(),
  /** A management key manages its account's keys and cannot call models. Absent (an older billing) means not. */
  management: z.boolean().optional(),
  /**
   * The key has a spending limit: its generations are reserved by billing, which checks the limit, never
   * held against a credit lease. Absent (an older billing) means not.
   */
  spendingLimited: z.boolean().optional(),
  /** The key's own rate limit; null or absent (an older billing) means the ingress default applies. */
  rateLimit: keyRateLimitSchema.nullable().optional(),
});
export type AuthenticatedKey = z.infer<typeof authenticatedKeySchema>;

/** Holds an upper-bound amount of the account's credit for one generation, exactly once per generation id. */
export const reserveRequestSchema = z.object({
  generationId: generationIdSchema,
  accountId: z.string(),
  keyId: z.string(),
  amountMicros: z.number().int().nonnegative(),
  /** Ingress knows the key has a spending limit: billing checks it at once (it finds out by itself otherwise). */
  keyLimited: z.boolean().optional(),
  /**
   * When the requester stops waiting for the answer (epoch milliseconds): billing skips a reservation still
   * queued behind others of the same key at that time, rather than hold credit nobody will settle. Absent
   * (an older ingress) means no deadline.
   */
  deadlineEpochMs: z.number().int().positive().optional(),
});
export type ReserveRequest = z.infer<typeof reserveRequestSchema>;

/**
 * Voids a generation's reservation whether or not it exists yet (issue 10: a reserve whose reply was lost
 * may have held credit, or may still arrive). Idempotent; a reservation made later for the id holds nothing.
 */
export const voidReservationRequestSchema = z.object({
  generationId: generationIdSchema,
  accountId: z.string(),
  keyId: z.string(),
});
export type VoidReservationRequest = z.infer<typeof voidReservationRequestSchema>;

export const voidReservationReplySchema = z.object({
  /** What the void gave back: the pending hold it found, 0 when there was none. */
  releasedMicros: z.number().int().nonnegative(),
});
export type VoidReservationReply = z.infer<typeof voidReservationReplySchema>;

export const reserveReplySchema = z.object({
  generationId: z.string(),
  amountMicros: z.number().int().nonnegative(),
});
export type ReserveReply = z.infer<typeof reserveReplySchema>;

export const accountSchema = z.object({
  id: z.string(),
  name: z.string(),
  balance_micros: z.number().int(),
  reserved_micros: z.number().int(),
  /** What the account's credit leases (slices held by ingress replicas) still hold. */
  leased_micros: z.number().int(),
  /** balance − reserved − leased, as a USD string. */
  available_usd: z.string(),
  balance_usd: z.string(),
  /** The account's data policy (accountDataPolicySchema), applied to every request of its keys. */
  data_collection: accountDataPolicySchema.shape.data_collection,
  zdr: z.boolean(),
  created_at: z.string(),
});
export type Account = z.infer<typeof accountSchema>;

/** Admin operations name their caller, for the audit record billing writes with the change. */
export const createAccountRequestSchema = z.object({ name: nameSchema, caller: adminCallerSchema });
export type CreateAccountRequest = z.infer<typeof createAccountRequestSchema>;

export const getAccountRequestSchema = z.object({ accountId: accountIdSchema });
export type GetAccountRequest = z.infer<typeof getAccountRequestSchema>;

export const grantCreditsRequestSchema = z.object({
  accountId: accountIdSchema,
  amountMicros: z.number().int().positive(),
  /** Why, stored on the ledger transaction (one line, at most 500 characters); optional for a grant. */
  reason: z.string().trim().pipe(singleLineTextSchema(500)).optional(),
  caller: adminCallerSchema,
});
export type GrantCreditsRequest = z.infer<typeof grantCreditsRequestSchema>;

/** Changes an account's data policy; a field left out keeps its value, and at least one must be given. */
export const setAccountDataPolicyRequestSchema = z.object({
  accountId: accountIdSchema,
  data_collection: accountDataPolicySchema.shape.data_collection.optional(),
  zdr: z.boolean().optional(),
  caller: adminCallerSchema,
});
export type SetAccountDataPolicyRequest = z.infer<typeof setAccountDataPolicyRequestSchema>;

/** A key's spending limit as billing takes it: micro-dollars (null: none), and when it starts over. */
export const keyLimitFields = z.object({
  limitMicros: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  limitReset: keyLimitResetSchema.nullable().optional(),
});

export const createKeyRequestSchema = z.object({
  accountId: accountIdSchema,
  name: nameSchema,
  /** A management key (only the admin may ask for one); an inference key when absent. */
  management: z.boolean().optional(),
  ...keyLimitFields.shape,
  /** The key's own rate limit; null or absent leaves it to the ingress default. */
  rateLimit: keyRateLimitSchema.nullable().optional(),
  caller: adminCallerSchema,
});
export type CreateKeyRequest = z.infer<typeof createKeyRequestSchema>;

/** An API key as OpenRouter's key-management API shows it; the secret is never part of it. */
export const keyRecordSchema = z.object({
  hash: z.string(),
  name: z.string(),
  /** Masked key for display, e.g. `sk-sb-v1-3f2...9ab`. */
  label: z.string(),
  account_id: z.string(),
  disabled: z.boolean(),
  /** Switchboard's: a management key manages the account's keys and cannot call models. */
  management: z.boolean(),
  /** The key's own rate limit in OpenRouter's shape; null when the ingress default applies (and from a billing older than the field). */
  rate_limit: presentedRateLimitSchema.nullable().default(null),
  ...keySpendingSchema.shape,
  created_at: z.string(),
  updated_at: z.string().nullable(),
  expires_at: z.null(),
  creator_user_id: z.null(),
});
export type KeyRecord = z.infer<typeof keyRecordSchema>;

/** The one place a key's secret appears: the answer to its creation. */
export const createKeyReplySchema = z.object({ data: keyRecordSchema, key: z.string() });
export type CreateKeyReply = z.infer<typeof createKeyReplySchema>;
