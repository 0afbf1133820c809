import type { Database } from "@switchboard/db";
import type { Kysely } from "kysely";

/**
 * When each model first entered the catalog tables (`models.created_at`, set on the first insert and never
 * updated): the `created` of `/models`. A model added at run time gets its own time, and a seed model keeps
 * the same time across restarts, rather than every model showing the router's start.
 */
export async function readModelCreationTimes(database: Kysely<Database>): Promise<Map<string, Date>> {
  const rows = await database.selectFrom("models").select(["id", "created_at"]).execute();
  return new Map(rows.map((row) => [row.id, row.created_at]));
}
