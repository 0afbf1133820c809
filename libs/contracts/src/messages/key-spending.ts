import { z } from "zod";

/**
 * What OpenRouter shows of a key's spending, in its key listing and in `GET /key` alike. Spending limits
 * are a later slice of issue 10 (no key has one yet), and Switchboard has no bring-your-own-key usage.
 */
export const keySpendingSchema = z.object({
  limit: z.null(),
  limit_remaining: z.null(),
  limit_reset: z.null(),
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
