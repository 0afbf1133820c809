import { sql } from "kysely";
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

export async function getKeyUsage(database: DatabaseExecutor, keyId: string): Promise<KeyUsage> {
  if (!isUuid(keyId)) return noKeyUsage;
  const since = (unit: "day" | "week" | "month") => sql.raw(`(date_trunc('${unit}', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`);
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
