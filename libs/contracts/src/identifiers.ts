import { z } from "zod";

// Id formats checked wherever an id arrives (ingress and every service's request schema), so a malformed
// id is a 400 at the edge and never reaches PostgreSQL, where a NUL or a non-UUID is a 500.

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `gen-` and a UUID, as ingress mints them (services/ingress/src/generation/create-generation-id.ts). */
export const generationIdSchema = z.string().regex(/^gen-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "must be a generation id: gen- and a UUID");

/** Accounts are keyed by UUID. */
export const accountIdSchema = z.string().regex(uuidPattern, "must be an account id (a UUID)");

/** API keys are keyed by UUID internally; clients see only their hash. */
export const keyIdSchema = z.string().regex(uuidPattern, "must be a key id (a UUID)");

/**
 * A subject a service publishes replies to, such as the asking ingress's inbox (`_INBOX.<nuid>`): dot-
 * separated tokens of letters, digits, `_` and `-`. Anything else makes the NATS client throw while
 * publishing, or (an over-long subject) makes the server drop the publisher's whole connection.
 */
export const replySubjectSchema = z.string().max(256).regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be a NATS subject without wildcards");

/** The SHA-256 of an API key, lowercase hex: the only form in which a key crosses the wire. */
export const keyHashSchema = z.string().regex(/^[0-9a-f]{64}$/, "must be a key hash (64 lowercase hex digits)");
