import { z } from "zod";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";

/** The admin operations billing audits: each changes money, keys or an account's data policy. */
export const adminActions = {
  createAccount: "create-account",
  grantCredits: "grant-credits",
  createKey: "create-key",
  disableKey: "disable-key",
  enableKey: "enable-key",
  setAccountPolicy: "set-account-policy",
  renameKey: "rename-key",
  deleteKey: "delete-key",
  createManagementKey: "create-management-key",
  setKeyLimit: "set-key-limit",
  setKeyRateLimit: "set-key-rate-limit",
  adjustCredits: "adjust-credits",
} as const;
export type AdminAction = (typeof adminActions)[keyof typeof adminActions];

/**
 * Who asked for an admin operation; billing writes it into the audit record, in the operation's
 * transaction. Ingress identifies an HTTP caller as well as one shared admin key allows (`admin-key:`
 * and a fingerprint of the key, the client address, the request id); the CLI as `cli:<os user>`.
 */
export const adminCallerSchema = z.strictObject({
  actor: singleLineTextSchema(200),
  clientAddress: singleLineTextSchema(200).nullable(),
  requestId: singleLineTextSchema(200).nullable(),
});
export type AdminCaller = z.infer<typeof adminCallerSchema>;

/** One audited admin operation, as the admin listing shows it. Never a secret. */
export const adminAuditEntrySchema = z.object({
  id: z.number().int(),
  action: z.enum(adminActions),
  actor: z.string(),
  client_address: z.string().nullable(),
  account_id: z.string().nullable(),
  /** The key's `hash`, the id OpenRouter's key API and the admin CLI use; null when no key was involved. */
  key_hash: z.string().nullable(),
  /** Credits granted, in micro-dollars; null for other actions. */
  amount_micros: z.number().int().nullable(),
  /** The account's data policy after a `set-account-policy`; null for other actions. */
  data_policy: z.object({ data_collection: z.enum(["allow", "deny"]), zdr: z.boolean() }).nullable(),
  request_id: z.string().nullable(),
  created_at: z.string(),
});
export type AdminAuditEntry = z.infer<typeof adminAuditEntrySchema>;

export const listAdminAuditReplySchema = z.object({ data: z.array(adminAuditEntrySchema) });
export type ListAdminAuditReply = z.infer<typeof listAdminAuditReplySchema>;
