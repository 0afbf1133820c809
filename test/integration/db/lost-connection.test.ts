import { setTimeout as sleep } from "node:timers/promises";
import { isDatabaseUnavailable } from "@switchboard/db";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testServerUrl, type TestDatabase } from "../../support/test-database.js";

/**
 * A connection in use that PostgreSQL ends (a restart, an outage, an administrator) must fail the query
 * in hand, not the process: pg emits 'error' on a checked-out client, which crashes Node without a listener.
 */
describe("a checked-out connection that PostgreSQL ends", () => {
  let testDatabase: TestDatabase;
  let admin: pg.Client;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    admin = new pg.Client({ connectionString: testServerUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await testDatabase?.drop();
  });

  it("fails the next query as an outage, and the pool serves the one after on a new connection", async () => {
    const failure = await testDatabase.database.connection().execute(async (connection) => {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(connection);
      await admin.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
      // The termination notice arrives while the client is checked out and idle: the moment of the 'error' event.
      await sleep(200);
      return sql`SELECT 1`.execute(connection).then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    expect(isDatabaseUnavailable(failure)).toBe(true);
    const { rows } = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(testDatabase.database);
    expect(rows[0]?.ok).toBe(1);
  });
});
