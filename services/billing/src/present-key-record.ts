import { presentRateLimit, type KeyRecord } from "@switchboard/contracts";
import type { ApiKeyRow } from "@switchboard/db";
import { presentKeySpending } from "./present-key-spending.js";
import { rateLimitOfKey } from "./repositories/api-keys.js";
import type { KeyUsage } from "./repositories/key-usage.js";

/**
 * A key as OpenRouter's key-management API shows it: hash and masked label, never the secret; its limit
 * and usage (present-key-spending.ts). Expiry does not exist in Switchboard yet, so it is null as OpenRouter
 * shows it for a key without one.
 */
export function presentKeyRecord(row: ApiKeyRow, usage: KeyUsage): KeyRecord {
  return {
    hash: row.key_hash,
    name: row.name,
    label: row.label,
    account_id: row.account_id,
    disabled: row.disabled,
    management: row.management,
    rate_limit: presentOwnRateLimit(row),
    ...presentKeySpending(row, usage),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at ? row.updated_at.toISOString() : null,
    expires_at: null,
    creator_user_id: null,
  };
}

/** The key's own rate limit, or null: a key record shows what is set on the key, not the ingress default. */
function presentOwnRateLimit(row: ApiKeyRow): KeyRecord["rate_limit"] {
  const limit = rateLimitOfKey(row);
  return limit === null ? null : presentRateLimit(limit);
}
