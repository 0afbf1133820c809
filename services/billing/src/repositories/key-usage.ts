import type { KeyLimitReset } from "@switchboard/db";
import { sql, type RawBuilder } from "kysely";
import { isUuid, type DatabaseExecutor } from "./database-executor.js";

/**
 * Micro-dollars charged to generations made with one key (settled, and late charges after expiry): in all,
 * and since the start of the current UTC day, week (Monday, as OpenRouter counts it) and month. A charge
 * falls in the period in which its reservation resolved.
 */
export interface KeyUsage {
  totalMicros: number;
  dailyMicros: number;
  weeklyMicros: number;
  monthlyMicros: number;
}

export const noKeyUsage: KeyUsage = { totalMicros: 0, dailyMicros: 0, weeklyMicros: 0, monthlyMicros: 0 };

/** The start of the current UTC day, week (date_trunc's weeks start on Monday) or month, as a timestamptz. */
function since(unit: "day" | "week" | "month"): RawBuilder<unknown> {
  return sql.raw(`(date_trunc('${unit}', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`);
}

const periodUnits = { daily: "day", weekly: "week", monthly: "month" } as const;

export async function getKeyUsage(database: DatabaseExecutor, keyId: string): Promise<KeyUsage> {
  if (!isUuid(keyId)) return noKeyUsage;
  const row = await database
    .selectFrom("reservations")
    .select([
      sql<number>`coalesce(sum(charged_micros), 0)::bigint`.as("total"),
      sql<number>`coalesce(sum(charged_micros) FILTER (WHERE resolved_at >= ${since("day")}), 0)::bigint`.as("daily"),
      sql<number>`coalesce(sum(charged_micros) FILTER (WHERE resolved_at >= ${since("week")}), 0)::bigint`.as("weekly"),
      sql<number>`coalesce(sum(charged_micros) FILTER (WHERE resolved_at >= ${since("month")}), 0)::bigint`.as("monthly"),
    ])
    .where("key_id", "=", keyId)
    .executeTakeFirstOrThrow();
  return { totalMicros: row.total, dailyMicros: row.daily, weeklyMicros: row.weekly, monthlyMicros: row.monthly };
}

/**
 * What counts against a key's spending limit now, in micro-dollars: its charges in the limit's current
 * period (all of them without a reset), as `getKeyUsage` counts them, plus what its pending reservations
 * hold, since each may still be charged up to its amount. A scalar subquery, for statements that check the
 * limit as they reserve (under the key's row lock, so it must stay cheap).
 *
 * With a reset, only the rows that can count are read: pending ones (`resolved_at IS NULL`: a reservation
 * gets `resolved_at` when it settles, voids or expires) and those resolved in the period, both ranges of
 * the index `reservations_key_resolved (key_id, resolved_at)`, so a key with a long history costs no
 * more than its current period. Without a reset every charge of the key counts, and its whole history is
 * read (TODO(issue 10): a running total on api_keys, maintained by settlement, would make this constant).
 */
export function keyLimitUseSql(keyId: string, limitReset: KeyLimitReset | null): RawBuilder<number> {
  if (limitReset === null) {
    return sql<number>`(
      SELECT coalesce(sum(charged_micros) FILTER (WHERE charged_micros IS NOT NULL), 0) + coalesce(sum(amount_micros) FILTER (WHERE status = 'pending'), 0)
      FROM reservations WHERE key_id = ${keyId}
    )`;
  }
  const periodStart = since(periodUnits[limitReset]);
  return sql<number>`(
    SELECT coalesce(sum(charged_micros) FILTER (WHERE resolved_at >= ${periodStart}), 0) + coalesce(sum(amount_micros) FILTER (WHERE status = 'pending'), 0)
    FROM reservations WHERE key_id = ${keyId} AND (resolved_at IS NULL OR resolved_at >= ${periodStart})
  )`;
}

/** `keyLimitUseSql`'s amount, on its own. */
export async function getKeyLimitUseMicros(database: DatabaseExecutor, keyId: string, limitReset: KeyLimitReset | null): Promise<number> {
  const { rows } = await sql<{ micros: number }>`SELECT ${keyLimitUseSql(keyId, limitReset)}::bigint AS micros`.execute(database);
  return rows[0]?.micros ?? 0;
}
