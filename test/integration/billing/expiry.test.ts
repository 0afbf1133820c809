import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExpirySweeper } from "../../../services/billing/src/expiry-sweeper.js";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { expirePendingReservations, reserve } from "../../../services/billing/src/repositories/reservations.js";
import { settle } from "../../../services/billing/src/repositories/settle-generations.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { testLogger } from "../../support/silent-logger.js";
import { completedFact, findLedgerViolations, waitFor } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

describe("reservation expiry", () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  const longAgo = () => new Date(Date.now() - 60_000);
  const statusOf = async (generationId: string) =>
    (await testDatabase.database.selectFrom("reservations").select("status").where("generation_id", "=", generationId).executeTakeFirstOrThrow()).status;

  it("releases pending reservations past their expiry and leaves the others", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 10_000);
    const stale = Array.from({ length: 5 }, () => `gen-${randomUUID()}`);
    for (const generationId of stale) await reserve(database, { generationId, accountId, keyId, amountMicros: 100, ttlSeconds: 1, now: longAgo() });
    const fresh = `gen-${randomUUID()}`;
    await reserve(database, { generationId: fresh, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
    expect(await getAccount(database, accountId)).toMatchObject({ reserved_micros: 1_500 });

    expect(await expirePendingReservations(database, new Date(), 2)).toBe(5);
    expect(await expirePendingReservations(database, new Date())).toBe(0);

    for (const generationId of stale) expect(await statusOf(generationId)).toBe("expired");
    expect(await statusOf(fresh)).toBe("pending");
    expect(await getAccount(database, accountId)).toMatchObject({ balance_micros: 10_000, reserved_micros: 1_000 });
  });

  it("a settled reservation is never expired, and an expired one is never settled twice", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    await reserve(database, { generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 1, now: longAgo() });
    expect((await settle(database, completedFact({ generationId, accountId, keyId }))).outcome).toBe("settled");
    expect(await expirePendingReservations(database, new Date())).toBe(0);
    expect(await statusOf(generationId)).toBe("settled");
    expect((await settle(database, completedFact({ generationId, accountId, keyId }))).outcome).toBe("already-resolved");
    expect(await getAccount(database, accountId)).toMatchObject({ balance_micros: 9_250, reserved_micros: 0 });
  });

  it("L5: settle racing concurrent sweepers resolves every reservation once and charges every generation once", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 1_000_000);
    const generationIds = Array.from({ length: 50 }, () => `gen-${randomUUID()}`);
    for (const generationId of generationIds) await reserve(database, { generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 1, now: longAgo() });

    await Promise.all([
      ...generationIds.map((generationId) => settle(database, completedFact({ generationId, accountId, keyId }))),
      expirePendingReservations(database, new Date(), 5),
      expirePendingReservations(database, new Date(), 5),
      expirePendingReservations(database, new Date(), 5),
    ]);

    const reservations = await database.selectFrom("reservations").selectAll().where("account_id", "=", accountId).execute();
    expect(reservations.every((reservation) => reservation.status === "settled" || reservation.status === "expired")).toBe(true);
    expect(reservations.every((reservation) => reservation.charged_micros === 750)).toBe(true);
    const charges = await database.selectFrom("ledger_entries").select("generation_id").where("account_id", "=", accountId).where("kind", "=", "charge").execute();
    expect(charges).toHaveLength(50);
    expect(await getAccount(database, accountId)).toMatchObject({ balance_micros: 1_000_000 - 50 * 750, reserved_micros: 0 });
    expect(await findLedgerViolations(database)).toEqual([]);
  });

  it("the sweeper releases abandoned reservations on its interval until stopped", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 10_000);
    const sweeper = startExpirySweeper({ database, intervalMs: 50, logger: testLogger("billing") });
    try {
      const generationId = `gen-${randomUUID()}`;
      await reserve(database, { generationId, accountId, keyId, amountMicros: 700, ttlSeconds: 1, now: longAgo() });
      await waitFor(async () => (await statusOf(generationId)) === "expired", 5_000);
      expect(await getAccount(database, accountId)).toMatchObject({ reserved_micros: 0 });
    } finally {
      await sweeper.stop();
    }
    expect(await findLedgerViolations(database)).toEqual([]);
  });
});
