import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDatabase, migrateToLatest, type Database } from "@switchboard/db";
import type { Kysely } from "kysely";

/** The PostgreSQL server tests use: DATABASE_URL, or the machine's local server. */
export const testServerUrl = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  /** Connection string of the fresh database, for services started by the test. */
  connectionString: string;
  database: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database on the real PostgreSQL server, so test files running in parallel never see
 * each other's rows. Dropped (with FORCE, ending stray connections) by `drop()`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `switchboard_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: testServerUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  const connectionString = url.toString();
  const database = createDatabase({ connectionString, applicationName: "switchboard-test" });
  await migrateToLatest(database);
  return {
    connectionString,
    database,
    async drop() {
      await database.destroy();
      const cleanup = new pg.Client({ connectionString: testServerUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
