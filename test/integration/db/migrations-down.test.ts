import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { down as accountDataPolicyDown } from "../../../libs/db/src/migrations/2026-11-30T15-00-account-data-policy.js";
import { down as catalogChangesDown } from "../../../libs/db/src/migrations/2026-11-30T15-00-catalog-changes.js";
import { down as generationApiTypeDown, up as generationApiTypeUp } from "../../../libs/db/src/migrations/2026-12-01T03-30-generation-api-type.js";
import { down as keyDeletionDown } from "../../../libs/db/src/migrations/2026-11-30T16-30-key-deletion.js";
import { down as keySpendingLimitsDown } from "../../../libs/db/src/migrations/2026-11-30T19-00-key-spending-limits.js";
import { down as managementKeysDown } from "../../../libs/db/src/migrations/2026-11-30T17-00-management-keys.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";

type Down = (database: Kysely<unknown>) => Promise<void>;

/** Migrating down must not lose or loosen data silently (issue 9 review): it refuses while there is some. */
describe("migrations down", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  /** Runs `down` in a transaction; rolled back when it succeeds too, so the schema stays for the next test. */
  const tryDown = (down: Down) =>
    database.database
      .transaction()
      .execute(async (transaction) => {
        await down(transaction as unknown as Kysely<unknown>);
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });

  it("refuses to drop stored run-time catalog changes, and drops the table once there are none", async () => {
    await database.database.insertInto("catalog_changes").values({ kind: "model", id: "acme/one", document: null, disabled: true, changed_by: "admin-key:test", request_id: null }).execute();
    await expect(tryDown(catalogChangesDown)).rejects.toThrow(/run-time catalog changes/);
    expect(await database.database.selectFrom("catalog_changes").select("id").execute()).toEqual([{ id: "acme/one" }]);
    await database.database.deleteFrom("catalog_changes").execute();
    await tryDown(catalogChangesDown);
  });

  it("refuses to drop an account's deny or zdr policy (a later up would allow everything), and migrates down once every account has the default", async () => {
    const account = await database.database.insertInto("accounts").values({ name: "strict" }).returning("id").executeTakeFirstOrThrow();
    await sql`UPDATE accounts SET data_collection = 'deny' WHERE id = ${account.id}`.execute(database.database);
    await expect(tryDown(accountDataPolicyDown)).rejects.toThrow(/data policy/);
    const kept = await sql<{ data_collection: string }>`SELECT data_collection FROM accounts WHERE id = ${account.id}`.execute(database.database);
    expect(kept.rows).toEqual([{ data_collection: "deny" }]);
    await sql`UPDATE accounts SET data_collection = 'allow' WHERE id = ${account.id}`.execute(database.database);
    await tryDown(accountDataPolicyDown);
  });

  it("refuses to forget that a key was deleted (it would work again), and migrates down once no key is", async () => {
    const account = await database.database.insertInto("accounts").values({ name: "keys" }).returning("id").executeTakeFirstOrThrow();
    const key = await database.database.insertInto("api_keys").values({ account_id: account.id, name: "leaked", key_hash: "d".repeat(64), label: "sk-sb-v1-ddd...ddd" }).returning("id").executeTakeFirstOrThrow();
    await sql`UPDATE api_keys SET deleted_at = now() WHERE id = ${key.id}`.execute(database.database);
    await expect(tryDown(keyDeletionDown)).rejects.toThrow(/deleted/);
    await sql`DELETE FROM api_keys WHERE id = ${key.id}`.execute(database.database);
    await tryDown(keyDeletionDown);
  });

  it("refuses to turn a live management key into one that can call models, and migrates down once none is live, keeping its audit as create-key", async () => {
    const account = await database.database.insertInto("accounts").values({ name: "managed" }).returning("id").executeTakeFirstOrThrow();
    const key = await database.database
      .insertInto("api_keys")
      .values({ account_id: account.id, name: "manager", key_hash: "e".repeat(64), label: "sk-sb-v1-eee...eee", management: true })
      .returning("id")
      .executeTakeFirstOrThrow();
    await database.database.insertInto("admin_audit").values({ action: "create-management-key", actor: "admin-key:test", client_address: null, account_id: account.id, key_id: key.id, amount_micros: null, data_policy: null, request_id: null }).execute();
    await expect(tryDown(managementKeysDown)).rejects.toThrow(/management keys/);
    await sql`UPDATE api_keys SET deleted_at = now() WHERE id = ${key.id}`.execute(database.database);
    let auditAfterDown: string[] = [];
    await database.database
      .transaction()
      .execute(async (transaction) => {
        await managementKeysDown(transaction as unknown as Kysely<unknown>);
        const rows = await sql<{ action: string }>`SELECT action FROM admin_audit WHERE key_id = ${key.id}`.execute(transaction);
        auditAfterDown = rows.rows.map((row) => row.action);
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    expect(auditAfterDown).toEqual(["create-key"]);
    await sql`DELETE FROM admin_audit WHERE key_id = ${key.id}`.execute(database.database);
    await sql`DELETE FROM api_keys WHERE id = ${key.id}`.execute(database.database);
  });

  it("refuses to lift a live key's spending limit, and migrates down once no live key has one", async () => {
    const account = await database.database.insertInto("accounts").values({ name: "limited" }).returning("id").executeTakeFirstOrThrow();
    const key = await database.database
      .insertInto("api_keys")
      .values({ account_id: account.id, name: "capped", key_hash: "c".repeat(64), label: "sk-sb-v1-ccc...ccc", limit_micros: 5_000_000, limit_reset: "daily" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await expect(tryDown(keySpendingLimitsDown)).rejects.toThrow(/spending limit/);
    await expect(sql`UPDATE api_keys SET limit_micros = -1 WHERE id = ${key.id}`.execute(database.database)).rejects.toThrow(/check constraint/);
    await expect(sql`UPDATE api_keys SET limit_reset = 'yearly' WHERE id = ${key.id}`.execute(database.database)).rejects.toThrow(/check constraint/);
    await sql`UPDATE api_keys SET limit_micros = NULL WHERE id = ${key.id}`.execute(database.database);
    await tryDown(keySpendingLimitsDown);
    await sql`DELETE FROM api_keys WHERE id = ${key.id}`.execute(database.database);
  });

  it("drops the generation api_type column and adds it back, its CHECK added back validated", async () => {
    const check = () => sql<{ convalidated: boolean }>`SELECT convalidated FROM pg_constraint WHERE conname = 'generations_api_type_check'`;
    await database.database
      .transaction()
      .execute(async (transaction) => {
        const unknownDatabase = transaction as unknown as Kysely<unknown>;
        await generationApiTypeDown(unknownDatabase);
        expect((await check().execute(transaction)).rows).toEqual([]);
        await generationApiTypeUp(unknownDatabase);
        expect((await check().execute(transaction)).rows).toEqual([{ convalidated: true }]);
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
  });
});

/** Ends a transaction that only had to succeed up to its end, leaving the schema as it was. */
class Rollback extends Error {
  constructor() {
    super("rolled back on purpose");
    this.name = "Rollback";
  }
}
