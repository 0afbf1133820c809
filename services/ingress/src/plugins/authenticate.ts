import { createHash, timingSafeEqual } from "node:crypto";
import { authenticatedKeySchema, gatewayError, gatewayErrorCodes, isWellFormedApiKey, SwitchboardError, type AuthenticatedKey, type GatewayError } from "@switchboard/contracts";
import type { FastifyRequest } from "fastify";
import { ExpiringLruCache } from "./expiring-lru-cache.js";
import type { ServiceClients } from "./service-clients.js";

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

export interface KeyAuthenticatorOptions {
  /** How long a key billing accepted is used from memory; 0 asks billing every time. */
  ttlMs: number;
  /**
   * How long billing's 401 for a key is repeated from memory; 0 never. Short: a client stuck with a
   * revoked or mistyped key then costs billing one question per this period instead of one per request.
   */
  refusalTtlMs?: number;
  /** Bound on accepted keys held; the least recently used goes first. */
  maximumEntries?: number;
  /** Bound on refusals held, apart from accepted keys so a flood of random keys cannot push those out. */
  maximumRefusals?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** One question to billing about one key, shared by every request that needs the answer meanwhile. */
interface PendingQuestion {
  answer: Promise<AuthenticatedKey>;
  /** Cleared when the key changed (or the cache was emptied) while asking: the answer may predate it. */
  mayCache: boolean;
}

/**
 * Authenticates API keys through billing and keeps the answers in memory for long (minutes), so the hot
 * path almost never leaves the process. That is safe because billing announces every change to a key
 * and `forget`/`forgetAll` (wired in follow-key-changes.ts) apply it at once; the TTL only bounds how
 * long a missed announcement could matter. Only the key's SHA-256 leaves this process. Malformed keys
 * are refused without asking anyone. Concurrent requests with the same uncached key ask billing once.
 */
export class KeyAuthenticator {
  private readonly keys: ExpiringLruCache<AuthenticatedKey>;
  private readonly refusals: ExpiringLruCache<GatewayError>;
  private readonly pending = new Map<string, PendingQuestion>();
  private readonly ttlMs: number;
  private readonly refusalTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly clients: Pick<ServiceClients, "request" | "subjects">,
    options: KeyAuthenticatorOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.refusalTtlMs = options.refusalTtlMs ?? 5_000;
    this.keys = new ExpiringLruCache(options.maximumEntries ?? 10_000);
    this.refusals = new ExpiringLruCache(options.maximumRefusals ?? 1_000);
    this.now = options.now ?? Date.now;
  }

  async authenticate(token: string): Promise<AuthenticatedKey> {
    // Before the cache, billing or the database: a key with a wrong prefix, length, alphabet or checksum
    // cannot exist, so it costs this process a regular expression and a CRC-32 and nobody else anything.
    if (!isWellFormedApiKey(token)) throw unauthorized("Invalid API key.");
    const keyHash = createHash("sha256").update(token).digest("hex");
    const now = this.now();
    const known = this.keys.get(keyHash, now);
    if (known) return known;
    const refusal = this.refusals.get(keyHash, now);
    if (refusal) throw new SwitchboardError(refusal);
    return this.askBilling(keyHash);
  }

  /** Drops what is known about one key, and keeps an answer already on its way from being kept. */
  forget(keyHash: string): void {
    this.keys.delete(keyHash);
    this.refusals.delete(keyHash);
    const question = this.pending.get(keyHash);
    if (question) {
      question.mayCache = false;
      // Requests from now on ask again: the answer in flight may have been read before the change.
      this.pending.delete(keyHash);
    }
  }

  /** Drops everything, e.g. after a reconnect, when announcements may have been missed. */
  forgetAll(): void {
    this.keys.clear();
    this.refusals.clear();
    for (const question of this.pending.values()) question.mayCache = false;
    this.pending.clear();
  }

  private askBilling(keyHash: string): Promise<AuthenticatedKey> {
    const inFlight = this.pending.get(keyHash);
    if (inFlight) return inFlight.answer;
    const question: PendingQuestion = { mayCache: true, answer: this.requestAndRemember(keyHash, () => question.mayCache) };
    this.pending.set(keyHash, question);
    void question.answer
      .finally(() => {
        if (this.pending.get(keyHash) === question) this.pending.delete(keyHash);
      })
      .catch(() => undefined);
    return question.answer;
  }

  private async requestAndRemember(keyHash: string, mayCache: () => boolean): Promise<AuthenticatedKey> {
    let key: AuthenticatedKey;
    try {
      key = await this.clients.request(this.clients.subjects.billingAuthenticateKey, { keyHash }, authenticatedKeySchema, "billing");
    } catch (error) {
      // Only billing's "no such key" is remembered; a failure to ask (503, timeout) is not an answer.
      if (mayCache() && this.refusalTtlMs > 0 && error instanceof SwitchboardError && error.error.status === 401) {
        this.refusals.set(keyHash, error.error, this.now() + this.refusalTtlMs);
      }
      throw error;
    }
    if (mayCache() && this.ttlMs > 0) this.keys.set(keyHash, key, this.now() + this.ttlMs);
    return key;
  }
}
