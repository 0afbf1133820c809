import { randomUUID } from "node:crypto";
import { migrations } from "../../../libs/db/src/migrations/index.js";
import { Migrator, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount, grantCredits, moveCredits } from "../../../services/billing/src/repositories/accounts.js";
import { grantLease } from "../../../services/billing/src/repositories/credit-leases.js";
import { reconcileLedger } from "../../../services/billing/src/repositories/ledger-reconciliation.js";
import { expirePendingReservations, reserve } from "../../../services/billing/src/repositories/reservations.js";
import { settleGenerations } from "../../../services/billing/src/repositories/settle-generations.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { completedFact, findLedgerViolations } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

describe("double-entry ledger", () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  const postingsOf = (transactionId: number) =>
    testDatabase.database.selectFrom("ledger_entries").selectAll().where("transaction_id", "=", transactionId).orderBy("id").execute();

  it("grants, settlements and late charges are balanced transactions, and reconciliation finds no drift", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 100_000);
    const settled = Array.from({ length: 3 }, () => `gen-${randomUUID()}`);
    const late = `gen-${randomUUID()}`;
    for (const generationId of settled) await reserve(database, { generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
    await reserve(database, { generationId: late, accountId, keyId, amountMicros: 1_000, ttlSeconds: 1, now: new Date(Date.now() - 60_000) });
    expect(await expirePendingReservations(database, new Date())).toBe(1);

    const facts = [...settled, late].map((generationId) => completedFact({ generationId, accountId, keyId }));
    const results = await settleGenerations(database, [...facts, ...facts]);
    expect(results.map((result) => result.outcome)).toEqual(["settled", "settled", "settled", "charged-after-expiry", "settled", "settled", "settled", "charged-after-expiry"]);
    // A redelivered batch changes nothing.
    expect((await settleGenerations(database, facts)).map((result) => result.charged)).toEqual([false, false, false, false]);

    expect(await getAccount(database, accountId)).toMatchObject({ balance_micros: 100_000 - 4 * 750, reserved_micros: 0 });
    const transactions = await database.selectFrom("ledger_transactions").selectAll().orderBy("id").execute();
    const charges = transactions.filter((transaction) => transaction.generation_id !== null && [...settled, late].includes(transaction.generation_id));
    expect(charges).toHaveLength(4);
    for (const charge of charges) {
      expect(charge.kind).toBe("charge");
      const postings = await postingsOf(charge.id);
      expect(postings.map((posting) => [posting.account_id, posting.ledger_account, posting.amount_micros, posting.generation_id])).toEqual([
        [accountId, null, -750, charge.generation_id],
        [null, "revenue", 750, null],
      ]);
    }
    const grant = transactions.find((transaction) => transaction.kind === "grant");
    if (!grant) throw new Error("no grant transaction");
    expect((await postingsOf(grant.id)).map((posting) => [posting.account_id, posting.ledger_account, posting.amount_micros])).toEqual([
      [accountId, null, 100_000],
      [null, "funding", -100_000],
    ]);

    expect(await reconcileLedger(database)).toMatchObject({ balanced: true, account_drifts: [], unbalanced_transactions: [], ledger_total_micros: 0 });
    expect(await findLedgerViolations(database)).toEqual([]);
  });

  it("a negative adjustment moves credit back to funding, but never below what the account holds", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 10_000);
    await reserve(database, { generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 4_000, ttlSeconds: 900 });
    const refused = await moveCredits(database, { kind: "adjustment", accountId, amountMicros: -6_001, reason: "refund of a duplicate grant" });
    expect(refused.outcome).toBe("exceeds-available");
    const moved = await moveCredits(database, { kind: "adjustment", accountId, amountMicros: -6_000, reason: "refund of a duplicate grant" });
    if (moved.outcome !== "moved") throw new Error(`adjustment ${moved.outcome}`);
    expect(moved.account).toMatchObject({ balance_micros: 4_000, reserved_micros: 4_000 });
    const transaction = await database.selectFrom("ledger_transactions").selectAll().where("id", "=", moved.transactionId).executeTakeFirstOrThrow();
    expect(transaction).toMatchObject({ kind: "adjustment", reason: "refund of a duplicate grant" });
    expect((await postingsOf(moved.transactionId)).map((posting) => posting.amount_micros)).toEqual([-6_000, 6_000]);
    expect(await findLedgerViolations(database)).toEqual([]);
  });

  it("refuses UPDATE, DELETE and TRUNCATE of ledger rows", async () => {
    const { database } = testDatabase;
    const { accountId } = await createFundedKey(database, 5_000);
    const entry = await database.selectFrom("ledger_entries").selectAll().where("account_id", "=", accountId).executeTakeFirstOrThrow();
    const refusals = [
      sql`UPDATE ledger_entries SET amount_micros = 1 WHERE id = ${entry.id}`,
      sql`DELETE FROM ledger_entries WHERE id = ${entry.id}`,
      sql`UPDATE ledger_transactions SET reason = 'rewritten' WHERE id = ${entry.transaction_id}`,
      sql`DELETE FROM ledger_transactions WHERE id = ${entry.transaction_id}`,
      sql`TRUNCATE ledger_entries, ledger_transactions`,
    ];
    for (const statement of refusals) await expect(statement.execute(database)).rejects.toThrow(/the ledger is append-only/);
    expect(await database.selectFrom("ledger_entries").selectAll().where("id", "=", entry.id).executeTakeFirstOrThrow()).toEqual(entry);
    const { rows } = await sql<{ privilege: string }>`
      SELECT privilege_type AS privilege FROM information_schema.role_table_grants
      WHERE grantee = 'PUBLIC' AND table_name IN ('ledger_entries', 'ledger_transactions') AND privilege_type IN ('UPDATE', 'DELETE')
    `.execute(database);
    expect(rows).toEqual([]);
  });

  it("refuses a transaction whose postings do not sum to zero, or that has a single posting", async () => {
    const { database } = testDatabase;
    const { accountId } = await createFundedKey(database, 5_000);
    await expect(
      sql`
        WITH created AS (INSERT INTO ledger_transactions (kind, reason) VALUES ('grant', 'forged') RETURNING id)
        INSERT INTO ledger_entries (transaction_id, account_id, ledger_account, kind, amount_micros)
        SELECT id, ${accountId}::uuid, NULL, 'grant', 1000 FROM created UNION ALL SELECT id, NULL, 'funding', 'grant', -999 FROM created
      `.execute(database),
    ).rejects.toThrow(/unbalanced: 2 postings summing to 1/);
    await expect(
      sql`
        WITH created AS (INSERT INTO ledger_transactions (kind, reason) VALUES ('grant', 'forged') RETURNING id)
        INSERT INTO ledger_entries (transaction_id, account_id, kind, amount_micros) SELECT id, ${accountId}::uuid, 'grant', 0 FROM created
      `.execute(database),
    ).rejects.toThrow(/unbalanced: 1 postings/);
    await expect(sql`INSERT INTO ledger_transactions (kind, reason) VALUES ('grant', 'empty')`.execute(database)).rejects.toThrow(/unbalanced: 0 postings/);
    // A balanced pair added later to an existing transaction still has to balance with what was there.
    const entry = await database.selectFrom("ledger_entries").selectAll().where("account_id", "=", accountId).executeTakeFirstOrThrow();
    await expect(
      sql`INSERT INTO ledger_entries (transaction_id, account_id, kind, amount_micros) VALUES (${entry.transaction_id}, ${accountId}::uuid, 'grant', 7)`.execute(database),
    ).rejects.toThrow(/unbalanced: 3 postings summing to 7/);
    expect(await findLedgerViolations(database)).toEqual([]);
  });

  it("a lease's consumption total follows every reservation inserted against it, by settlement or by a bare insert (a previous release), and reconciliation reports a total edited behind its back", async () => {
    const drifting = await createTestDatabase();
    try {
      const { database } = drifting;
      const { accountId, keyId } = await createFundedKey(database, 100_000);
      const leaseId = randomUUID();
      await grantLease(database, { leaseId, accountId, holder: "test-ingress", amountMicros: 40_000, minimumMicros: 1, ttlSeconds: 900 });
      const leaseFact = (consumedMicros: number) => completedFact({ accountId, keyId, lease: { leaseId, holdMicros: 2_000, consumedMicros } });
      const consumedOf = async () => (await database.selectFrom("credit_leases").select("consumed_micros").where("id", "=", leaseId).executeTakeFirstOrThrow()).consumed_micros;
      // 750 µ$ per fact (completedFact's usage and price): two in one batch, one in the next, a redelivery.
      const [first, second, third] = [leaseFact(750), leaseFact(750), leaseFact(750)];
      await settleGenerations(database, [first!, second!]);
      await settleGenerations(database, [third!, first!]);
      expect(await consumedOf()).toBe(2_250);
      // What a billing replica of the previous release writes, without knowing the total.
      await sql`
        INSERT INTO reservations (generation_id, account_id, key_id, amount_micros, status, charged_micros, resolved_at, expires_at, lease_id, lease_consumed_micros)
        VALUES (${`gen-${randomUUID()}`}, ${accountId}, ${keyId}, 2000, 'settled', 300, now(), now(), ${leaseId}, 300),
               (${`gen-${randomUUID()}`}, ${accountId}, ${keyId}, 2000, 'settled', 200, now(), now(), ${leaseId}, 200)
      `.execute(database);
      expect(await consumedOf()).toBe(2_750);
      expect((await reconcileLedger(database)).lease_drifts).toEqual([]);
      await sql`UPDATE credit_leases SET consumed_micros = consumed_micros - 50 WHERE id = ${leaseId}`.execute(database);
      const reconciled = await reconcileLedger(database);
      expect(reconciled.balanced).toBe(false);
      expect(reconciled.lease_drifts).toEqual([{ lease_id: leaseId, consumed_micros: 2_700, generations_micros: 2_750 }]);
    } finally {
      await drifting.drop();
    }
  });

  it("reconciliation reports a cached balance edited behind the ledger's back", async () => {
    const drifting = await createTestDatabase();
    try {
      const { database } = drifting;
      const { accountId } = await createFundedKey(database, 5_000);
      await createFundedKey(database, 7_000);
      expect((await reconcileLedger(database)).balanced).toBe(true);
      await sql`UPDATE accounts SET balance_micros = balance_micros + 123 WHERE id = ${accountId}`.execute(database);
      expect(await reconcileLedger(database)).toEqual({
        balanced: false,
        accounts_checked: 2,
        account_drifts: [{ account_id: accountId, balance_micros: 5_123, ledger_micros: 5_000, drift_micros: 123 }],
        unbalanced_transactions: [],
        ledger_total_micros: 0,
        lease_drifts: [],
      });
    } finally {
      await drifting.drop();
    }
  });

  it("migrates single-sided entries into balanced transactions, and back", async () => {
    const migrating = await createTestDatabase();
    try {
      const { database } = migrating;
      const migrator = new Migrator({
        db: database,
        provider: { getMigrations: async () => migrations },
        migrationTableName: "switchboard_migrations",
        migrationLockTableName: "switchboard_migrations_lock",
      });
      const { accountId, keyId } = await createFundedKey(database, 9_000);
      const generationId = `gen-${randomUUID()}`;
      await reserve(database, { generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
      await settleGenerations(database, [completedFact({ generationId, accountId, keyId })]);

      // The outbox migration refuses to go down while the settlement's billing-settled fact is unpublished.
      const refused = await migrator.migrateTo("2026-11-30T17-00-management-keys");
      expect(String(refused.error)).toMatch(/billing_outbox holds unpublished facts/);
      await sql`UPDATE billing_outbox SET published_at = now()`.execute(database);
      const down = await migrator.migrateTo("2026-11-30T17-00-management-keys");
      expect(down.error).toBeUndefined();
      const { rows: singleSided } = await sql<{ kind: string; amount_micros: number; generation_id: string | null }>`
        SELECT kind, amount_micros, generation_id FROM ledger_entries ORDER BY id
      `.execute(database);
      expect(singleSided).toEqual([
        { kind: "grant", amount_micros: 9_000, generation_id: null },
        { kind: "charge", amount_micros: -750, generation_id: generationId },
      ]);
      const olderCharge = `gen-${randomUUID()}`;
      await sql`INSERT INTO ledger_entries (account_id, kind, amount_micros, generation_id) VALUES (${accountId}::uuid, 'charge', -250, ${olderCharge})`.execute(database);
      await sql`UPDATE accounts SET balance_micros = balance_micros - 250 WHERE id = ${accountId}`.execute(database);

      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();
      const { rows: postings } = await sql<{ transaction_id: number; kind: string; account_id: string | null; ledger_account: string | null; amount_micros: number; generation_id: string | null }>`
        SELECT transaction_id, kind, account_id, ledger_account, amount_micros, generation_id FROM ledger_entries ORDER BY transaction_id, id
      `.execute(database);
      expect(postings.map(({ transaction_id: _transactionId, ...posting }) => posting)).toEqual([
        { kind: "grant", account_id: accountId, ledger_account: null, amount_micros: 9_000, generation_id: null },
        { kind: "grant", account_id: null, ledger_account: "funding", amount_micros: -9_000, generation_id: null },
        { kind: "charge", account_id: accountId, ledger_account: null, amount_micros: -750, generation_id: generationId },
        { kind: "charge", account_id: null, ledger_account: "revenue", amount_micros: 750, generation_id: null },
        { kind: "charge", account_id: accountId, ledger_account: null, amount_micros: -250, generation_id: olderCharge },
        { kind: "charge", account_id: null, ledger_account: "revenue", amount_micros: 250, generation_id: null },
      ]);
      const transactions = await database.selectFrom("ledger_transactions").select(["kind", "generation_id"]).orderBy("id").execute();
      expect(transactions).toEqual([
        { kind: "grant", generation_id: null },
        { kind: "charge", generation_id: generationId },
        { kind: "charge", generation_id: olderCharge },
      ]);
      // New transactions take ids after the migrated ones, and the migrated charge still guards its generation.
      await grantCredits(database, accountId, 1);
      await expect(
        sql`WITH created AS (INSERT INTO ledger_transactions (kind, generation_id) VALUES ('charge', ${olderCharge}) RETURNING id)
            INSERT INTO ledger_entries (transaction_id, ledger_account, kind, amount_micros) SELECT id, 'revenue', 'charge', 0 FROM created`.execute(database),
      ).rejects.toThrow(/ledger_transactions_one_charge_per_generation/);
      expect(await findLedgerViolations(database)).toEqual([]);
    } finally {
      await migrating.drop();
    }
  });
});
