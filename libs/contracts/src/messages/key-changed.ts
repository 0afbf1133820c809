import { z } from "zod";
import { keyHashSchema } from "../identifiers.js";

/** What happened to a key. Every ingress reacts to all of them alike (it forgets what it cached). */
export const keyChanges = {
  created: "created",
  disabled: "disabled",
  enabled: "enabled",
  /** Anything else about the key that ingress may have cached: its name, its account, its spending limit. */
  updated: "updated",
  deleted: "deleted",
} as const;
export type KeyChange = (typeof keyChanges)[keyof typeof keyChanges];

/**
 * Billing's announcement, after the change is committed, that a key's data changed. Every ingress
 * replica hears it (core NATS, no queue group) and drops the key from its memory, so its next request
 * asks billing again. It names the key by its hash only: never the secret.
 */
export const keyChangedSchema = z.object({
  keyHash: keyHashSchema,
  change: z.enum(keyChanges),
});
export type KeyChanged = z.infer<typeof keyChangedSchema>;
