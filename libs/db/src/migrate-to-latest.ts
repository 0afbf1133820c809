import { Migrator, type Kysely } from "kysely";
import type { Database } from "./database.js";
import { migrations } from "./migrations/index.js";

/**
 * Applies every pending migration. kysely takes a PostgreSQL advisory lock, so replicas or a launcher
 * running this concurrently apply each migration once.
 */
export async function migrateToLatest(database: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db: database,
    provider: { getMigrations: async () => migrations },
    migrationTableName: "switchboard_migrations",
    migrationLockTableName: "switchboard_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
}
