import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findOrphanedHolds } from "../../support/find-orphaned-holds.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";

// The chaos run's hold check (issue 10: "no reservation or lease outlives its expiry + one sweep") must be
// able to fail: holds past expiry + sweep are found, those within it or already released are not.

describe("findOrphanedHolds", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("counts, per account, pending reservations and credit-holding leases more than one sweep past their expiry", async () => {
    const accounts = database.database;
    const account = await accounts.insertInto("accounts").values({ name: "holds" }).returning("id").executeTakeFirstOrThrow();
    const other = await accounts.insertInto("accounts").values({ name: "clean" }).returning("id").executeTakeFirstOrThrow();
    const key = await accounts.insertInto("api_keys").values({ account_id: account.id, name: "k", key_hash: "e".repeat(64), label: "sk-sb-v1-eee...eee" }).returning("id").executeTakeFirstOrThrow();
    const reservation = (generationId: string, status: string, expiresSecondsAgo: number) =>
      sql`INSERT INTO reservations (generation_id, account_id, key_id, amount_micros, status, expires_at)
          VALUES (${generationId}, ${account.id}, ${key.id}, 10, ${status}, now() - make_interval(secs => ${expiresSecondsAgo}))`.execute(accounts);
    await reservation("gen-orphaned", "pending", 10);
    await reservation("gen-within-one-sweep", "pending", 1);
    await reservation("gen-not-yet-expired", "pending", -60);
    await reservation("gen-released", "expired", 10);
    await reservation("gen-settled", "settled", 10);
    const lease = (accountId: string, status: string, expiresSecondsAgo: number) =>
      sql`INSERT INTO credit_leases (account_id, holder, granted_micros, status, expires_at)
          VALUES (${accountId}, 'ingress-1', 100, ${status}, now() - make_interval(secs => ${expiresSecondsAgo}))`.execute(accounts);
    await lease(account.id, "active", 10);
    await lease(account.id, "closed", 10);
    await lease(account.id, "expired", 10);
    await lease(other.id, "active", 1);

    const orphaned = await findOrphanedHolds(accounts, 5);
    expect(orphaned.reservations).toEqual(new Map([[account.id, 1]]));
    expect(orphaned.leases).toEqual(new Map([[account.id, 2]]));
  });
});
