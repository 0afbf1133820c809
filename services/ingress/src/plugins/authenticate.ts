import { createHash, timingSafeEqual } from "node:crypto";
import { authenticatedKeySchema, gatewayError, gatewayErrorCodes, SwitchboardError, type AuthenticatedKey } from "@switchboard/contracts";
import type { FastifyRequest } from "fastify";
import type { ServiceClients } from "./service-clients.js";

const keyPattern = /^sk-sb-v1-[0-9a-f]{64}$/;

/** Reads the bearer token, or throws a 401 that says what is missing. */
export function readBearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw unauthorized("Missing Authentication header: send Authorization: Bearer <your Switchboard API key>.");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized("Malformed Authorization header: expected \"Bearer <key>\".");
  return match[1];
}

function unauthorized(message: string): SwitchboardError {
  return new SwitchboardError(gatewayError(gatewayErrorCodes.unauthorized, 401, message));
}

/** Equal-time comparison so the admin key cannot be guessed byte by byte from response times. */
export function isAdminKey(token: string, adminKey: string | undefined): boolean {
  if (!adminKey) return false;
  const presented = createHash("sha256").update(token).digest();
  const expected = createHash("sha256").update(adminKey).digest();
  return timingSafeEqual(presented, expected);
}

/**
 * Authenticates API keys through billing, caching answers for a short time so the hot path usually
 * skips the NATS round trip. Only the key's SHA-256 leaves this process. Malformed keys are refused
 * without asking anyone.
 */
export class KeyAuthenticator {
  private readonly cache = new Map<string, { key: AuthenticatedKey; expiresAt: number }>();

  constructor(
    private readonly clients: ServiceClients,
    private readonly ttlMs: number,
    private readonly maximumEntries = 10_000,
  ) {}

  async authenticate(token: string): Promise<AuthenticatedKey> {
    if (!keyPattern.test(token)) throw unauthorized("Invalid API key.");
    const keyHash = createHash("sha256").update(token).digest("hex");
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > Date.now()) return cached.key;
    const key = await this.clients.request(this.clients.subjects.billingAuthenticateKey, { keyHash }, authenticatedKeySchema, "billing");
    if (this.ttlMs > 0) {
      if (this.cache.size >= this.maximumEntries) this.cache.clear();
      this.cache.set(keyHash, { key, expiresAt: Date.now() + this.ttlMs });
    }
    return key;
  }
}
