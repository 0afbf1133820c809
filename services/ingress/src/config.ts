import { integerSetting, natsSettings } from "@switchboard/config";
import { maximumRateLimitIntervalSeconds } from "@switchboard/contracts";
import { z } from "zod";
import { defaultFallbackPolicy } from "./generation/fallback-policy.js";

/** The ingress environment. */
export const ingressConfigSchema = z.object({
  ...natsSettings,
  PORT: integerSetting(8080, 0),
  HOST: z.string().default("0.0.0.0"),
  /** Management key for the admin API; the admin API answers 403 while it is unset. */
  SWITCHBOARD_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
  MAX_BODY_BYTES: integerSetting(10 * 1024 * 1024, 1024),
  /**
   * How long one NATS request to router or billing may take before the client gets a 503, and how long a
   * connector has to take a generation (send its first part) before the next candidate is tried.
   */
  SERVICE_REQUEST_TIMEOUT_MS: integerSetting(5_000, 50),
  /** Longest silence from the connector (which sends heartbeats while a model thinks) before an attempt is given up. */
  GENERATION_IDLE_TIMEOUT_MS: integerSetting(30_000, 100),
  /** Longest a generation may run. Keep it below billing's RESERVATION_TTL_SECONDS so credit stays held throughout. */
  GENERATION_MAX_DURATION_MS: integerSetting(600_000, 1_000),
  /**
   * Provider fallback: at most this many attempts per requested model (each model of `models` has its
   * own allowance) before the last error is the answer.
   */
  GENERATION_MAX_ATTEMPTS: integerSetting(defaultFallbackPolicy.maximumAttemptsPerModel, 1),
  /** No fallback attempt starts once this long has passed since the generation began (once the key was authenticated) (the running one is not cut short). */
  GENERATION_FALLBACK_DEADLINE_MS: integerSetting(defaultFallbackPolicy.deadlineMs, 0),
  /** Interval of `: SWITCHBOARD PROCESSING` comments while a stream waits for tokens. */
  STREAM_KEEPALIVE_MS: integerSetting(10_000, 100),
  /**
   * A stream still without output after this long sends its headers and starts keep-alive comments;
   * errors until then are plain HTTP statuses, errors after it SSE error chunks.
   */
  STREAM_COMMIT_MS: integerSetting(2_000, 0),
  /**
   * How long an authenticated key is used from memory without asking billing again. Long by default
   * because it is not what keeps keys current: billing announces every change to a key (disabled,
   * deleted, renamed) and every ingress applies it at once, and drops its whole cache after a NATS
   * reconnect. The TTL only bounds how long an announcement that was somehow missed could matter.
   */
  KEY_CACHE_TTL_MS: integerSetting(600_000, 0),
  /**
   * One info line per request (method, route, status, duration, and for a completion its id, model,
   * provider, tokens and cost). Off by default: a log line per request costs CPU on the hot path.
   */
  ACCESS_LOG: z.stringbool().default(false),
  /**
   * Credit leases: billing grants this replica slices of busy accounts' credit and requests hold their
   * upper-bound cost in memory, with no database write on the request path. Off, every request reserves
   * through billing (one PostgreSQL statement each).
   */
  CREDIT_LEASES: z.stringbool().default(true),
  /** A lease no request used for this long goes back to billing. */
  CREDIT_LEASE_IDLE_MS: integerSetting(10_000, 100),
  /**
   * The rate limit of keys without their own (`rate_limit` on the key): at most this many model requests per
   * RATE_LIMIT_INTERVAL_SECONDS, across every replica. Unset: no limit for such keys.
   */
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).max(1_000_000_000).optional(),
  RATE_LIMIT_INTERVAL_SECONDS: integerSetting(60, 1).pipe(z.number().max(maximumRateLimitIntervalSeconds)),
});
export type IngressConfig = z.infer<typeof ingressConfigSchema>;
