import { microsToUsdNumber, type KeyRecord } from "@switchboard/contracts";
import type { ApiKeyRow } from "@switchboard/db";
import type { KeyUsage } from "./repositories/key-usage.js";

/**
 * A key as OpenRouter's key-management API shows it: hash and masked label, never the secret. Limits,
 * expiry and bring-your-own-key usage do not exist in Switchboard yet, so they are null or 0 as OpenRouter
 * shows them for a key without them.
 */
export function presentKeyRecord(row: ApiKeyRow, usage: KeyUsage): KeyRecord {
  return {
    hash: row.key_hash,
    name: row.name,
    label: row.label,
    account_id: row.account_id,
    disabled: row.disabled,
    limit: null,
    limit_remaining: null,
    limit_reset: null,
    include_byok_in_limit: false,
    usage: microsToUsdNumber(usage.totalMicros),
    usage_daily: microsToUsdNumber(usage.dailyMicros),
    usage_weekly: microsToUsdNumber(usage.weeklyMicros),
    usage_monthly: microsToUsdNumber(usage.monthlyMicros),
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at ? row.updated_at.toISOString() : null,
    expires_at: null,
    creator_user_id: null,
  };
}
