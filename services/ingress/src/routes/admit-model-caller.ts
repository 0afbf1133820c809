import { gatewayError, gatewayErrorCodes, SwitchboardError, type AuthenticatedKey, type KeyRateLimit } from "@switchboard/contracts";
import type { FastifyRequest } from "fastify";
import type { KeyAuthenticator } from "../plugins/authenticate.js";
import { readBearerToken } from "../plugins/authenticate.js";
import { rateLimitExceeded } from "../rate-limits/rate-limit-exceeded.js";
import type { RateLimiter } from "../rate-limits/rate-limiter.js";

/** What admitting a caller of a model route needs. */
export interface ModelCallerAdmission {
  authenticator: KeyAuthenticator;
  /** Per-key rate limits: this replica's limiter, and the limit of keys without their own (null: none). */
  rateLimits: { limiter: RateLimiter; defaultLimit: KeyRateLimit | null };
}

/**
 * The key of a request to a model route (chat, completions, embeddings), once it may call a model:
 * authenticated, not a management key, within its rate limit. Throws the client-facing 401/403/429.
 */
export async function admitModelCaller(admission: ModelCallerAdmission, request: FastifyRequest): Promise<AuthenticatedKey> {
  const key = await admission.authenticator.authenticate(readBearerToken(request));
  // Before any credit is held: a management key only manages keys (OpenRouter's rule), so a leaked one cannot spend.
  if (key.management === true) {
    throw new SwitchboardError(
      gatewayError(gatewayErrorCodes.forbidden, 403, "Management keys cannot call models: use an inference key (a management key creates one with POST /api/v1/keys)."),
    );
  }
  // A key without a limit (and no default) costs one property read here: nothing is counted for it.
  const rateLimit = key.rateLimit ?? admission.rateLimits.defaultLimit;
  if (rateLimit !== null) {
    const refusal = admission.rateLimits.limiter.admit(key.keyHash, rateLimit);
    if (refusal !== undefined) throw rateLimitExceeded(refusal);
  }
  return key;
}
