import { z } from "zod";

/** When a key's spending limit starts over: at midnight UTC, on Monday (UTC) or on the 1st (UTC). */
export const keyLimitResetSchema = z.enum(["daily", "weekly", "monthly"]);
export type KeyLimitReset = z.infer<typeof keyLimitResetSchema>;

/**
 * What OpenRouter shows of a key's spending, in its key listing and in `GET /key` alike. Switchboard has no
 * bring-your-own-key usage.
 */
export const keySpendingSchema = z.object({
  /** USD the key may spend (per `limit_reset` period), or null: no limit. */
  limit: z.number().nullable(),
  /** `limit` less the usage of the current period (all usage without `limit_reset`), never below 0; null without a limit. */
  limit_remaining: z.number().nullable(),
  limit_reset: keyLimitResetSchema.nullable(),
  include_byok_in_limit: z.boolean(),
  /** USD charged to generations made with the key: in all, and since midnight UTC, Monday UTC, the 1st UTC. */
  usage: z.number(),
  usage_daily: z.number(),
  usage_weekly: z.number(),
  usage_monthly: z.number(),
  /** Always 0. */
  byok_usage: z.number(),
  byok_usage_daily: z.number(),
  byok_usage_weekly: z.number(),
  byok_usage_monthly: z.number(),
});
export type KeySpending = z.infer<typeof keySpendingSchema>;
