import { createHash } from "node:crypto";
import { replaceControlCharacters, type AdminCaller } from "@switchboard/contracts";
import type { FastifyRequest } from "fastify";

/**
 * A short fingerprint of the admin key for the audit: it tells which admin key an operation used (before
 * or after a rotation) without storing the key. 32 bits of a domain-separated SHA-256: too few to confirm
 * a guess of a strong key, and the admin key must be strong anyway.
 */
export function adminKeyFingerprint(adminKey: string): string {
  return createHash("sha256").update(`switchboard admin key fingerprint\0${adminKey}`).digest("hex").slice(0, 8);
}

/**
 * Who is calling the admin API, as well as one shared admin key allows: the key's fingerprint, the
 * client's address (the socket's, since ingress trusts no proxy header) and the request id, which
 * the request's log lines carry as `reqId`.
 */
export function adminCallerOf(request: FastifyRequest, fingerprint: string): AdminCaller {
  return {
    actor: `admin-key:${fingerprint}`,
    clientAddress: singleLine(request.ip),
    requestId: singleLine(String(request.id)),
  };
}

/** A management key's request, audited under the key's hash (its public id, never its secret). */
export function managementKeyCallerOf(request: FastifyRequest, keyHash: string): AdminCaller {
  return {
    actor: `management-key:${keyHash}`,
    clientAddress: singleLine(request.ip),
    requestId: singleLine(String(request.id)),
  };
}

/** A client may send its own X-Request-Id: whatever it holds, the audit stores one bounded line. */
function singleLine(text: string | undefined): string | null {
  if (!text) return null;
  return replaceControlCharacters(text, () => "\uFFFD").slice(0, 200);
}
