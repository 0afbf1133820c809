import { createDatabase } from "./create-database.js";
import { migrateToLatest } from "./migrate-to-latest.js";

// `npm run migrate`: applies pending migrations to DATABASE_URL and reports what it did.
const connectionString = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
const database = createDatabase({ connectionString, applicationName: "switchboard-migrate", maxConnections: 1 });
try {
  const applied = await migrateToLatest(database);
  console.log(applied.length === 0 ? "Database schema is up to date." : `Applied migrations: ${applied.join(", ")}`);
} catch (error) {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error("Check that DATABASE_URL points to a reachable PostgreSQL and the user may create tables.");
  process.exitCode = 1;
} finally {
  await database.destroy();
}
