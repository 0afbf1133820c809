import { microsToUsdNumber, type KeySpending } from "@switchboard/contracts";
import type { KeyUsage } from "./repositories/key-usage.js";

/**
 * A key's spending as OpenRouter shows it, in the key listing and in `GET /key` alike: what billing
 * charged it, in USD. Limits and bring-your-own-key usage do not exist in Switchboard yet, so they are
 * null or 0 as OpenRouter shows them for a key without them.
 */
export function presentKeySpending(usage: KeyUsage): KeySpending {
  return {
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
  };
}
