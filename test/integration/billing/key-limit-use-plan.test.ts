import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getKeyLimitUseMicros, keyLimitUseSql } from "../../../services/billing/src/repositories/key-usage.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { createFundedKey } from "./funded-key.js";

// Issue 10 review: a limited key's reservation reads what counts against its limit under the key's row
// lock. With a reset, that must be the period's rows and the pending ones, through the index on
// (key_id, resolved_at), not the key's whole history.
describe("what counts against a key's limit, read through the index", () => {
  let testDatabase: TestDatabase;
  let keyId: string;
  let accountId: string;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    ({ accountId, keyId } = await createFundedKey(testDatabase.database, 10_000_000, "history"));
    // A long history: 20,000 charges resolved 40 days ago, then 3 today and 2 pending holds.
    await sql`
      INSERT INTO reservations (generation_id, account_id, key_id, amount_micros, status, charged_micros, resolved_at, expires_at)
      SELECT 'gen-old-' || i, ${accountId}::uuid, ${keyId}::uuid, 10, 'settled', 7, now() - interval '40 days', now() - interval '40 days'
      FROM generate_series(1, 20000) AS i
    `.execute(testDatabase.database);
    for (const [status, charged, resolvedAt] of [
      ["settled", 100, sql`now()`],
      ["settled", 200, sql`now()`],
      ["expired", 300, sql`now()`],
      ["pending", null, sql`NULL`],
      ["pending", null, sql`NULL`],
    ] as const) {
      await sql`
        INSERT INTO reservations (generation_id, account_id, key_id, amount_micros, status, charged_micros, resolved_at, expires_at)
        VALUES (${`gen-${randomUUID()}`}, ${accountId}::uuid, ${keyId}::uuid, 1000, ${status}, ${charged}, ${resolvedAt}, now() + interval '1 hour')
      `.execute(testDatabase.database);
    }
    await sql`ANALYZE reservations`.execute(testDatabase.database);
  }, 60_000);
  afterAll(async () => {
    await testDatabase?.drop();
  });

  it("counts the period's charges and the pending holds, as before", async () => {
    for (const reset of ["daily", "weekly", "monthly"] as const) {
      expect(await getKeyLimitUseMicros(testDatabase.database, keyId, reset)).toBe(100 + 200 + 300 + 2 * 1000);
    }
    // Without a reset every charge counts.
    expect(await getKeyLimitUseMicros(testDatabase.database, keyId, null)).toBe(20_000 * 7 + 600 + 2_000);
  });

  it("with a reset, the plan reads only the pending rows and the period's through reservations_key_resolved", async () => {
    const { rows } = await sql<{ "QUERY PLAN": unknown }>`EXPLAIN (FORMAT JSON, ANALYZE, BUFFERS) SELECT ${keyLimitUseSql(keyId, "daily")}::bigint`.execute(
      testDatabase.database,
    );
    const plan = JSON.stringify(rows[0]?.["QUERY PLAN"]);
    expect(plan).toContain("reservations_key_resolved");
    expect(plan).not.toContain("Seq Scan");
    // Rows read from the table: the 5 recent or pending ones, not the 20,000 old ones.
    const rowsRead = [...plan.matchAll(/"Relation Name":"reservations"[^}]*?"Actual Rows":(\d+)/g)].map((match) => Number(match[1]));
    expect(rowsRead.length).toBeGreaterThan(0);
    for (const count of rowsRead) expect(count).toBeLessThanOrEqual(5);
  });
});
