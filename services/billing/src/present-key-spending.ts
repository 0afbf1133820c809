import { microsToUsdNumber, type KeySpending } from "@switchboard/contracts";
import type { ApiKeyRow } from "@switchboard/db";
import type { KeyUsage } from "./repositories/key-usage.js";

/** What of a key its spending shows: its limit. */
export type KeyLimitColumns = Pick<ApiKeyRow, "limit_micros" | "limit_reset">;

/**
 * A key's spending as OpenRouter shows it, in the key listing and in `GET /key` alike: its limit and what
 * billing charged it, in USD. `limit_remaining` is the limit less the usage of the current period (all
 * usage without a reset), never below 0; it does not subtract holds of generations still running, as
 * OpenRouter's does not. Bring-your-own-key usage does not exist in Switchboard, so it is 0.
 */
export function presentKeySpending(key: KeyLimitColumns, usage: KeyUsage): KeySpending {
  return {
    limit: key.limit_micros === null ? null : microsToUsdNumber(key.limit_micros),
    limit_remaining: key.limit_micros === null ? null : microsToUsdNumber(Math.max(key.limit_micros - usageInLimitPeriod(key, usage), 0)),
    limit_reset: key.limit_reset,
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

function usageInLimitPeriod(key: KeyLimitColumns, usage: KeyUsage): number {
  switch (key.limit_reset) {
    case "daily":
      return usage.dailyMicros;
    case "weekly":
      return usage.weeklyMicros;
    case "monthly":
      return usage.monthlyMicros;
    case null:
      return usage.totalMicros;
  }
}
