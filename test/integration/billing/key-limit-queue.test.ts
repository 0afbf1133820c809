import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reserveCredits } from "../../../services/billing/src/handlers/reserve-credits.js";
import { LeaseRecaller } from "../../../services/billing/src/lease-recaller.js";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { limitedKeyTurns } from "../../../services/billing/src/repositories/reservations.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { createFundedKey } from "./funded-key.js";

// Issue 10 review: a limited key's reservations wait their turn in billing's memory. One whose requester
// (ingress, which sends its deadline) gave up before its turn came must hold nothing, or its credit stays
// held until the reservation expires, refusing the key's later requests; and the queue is bounded.
describe("a limited key's queued reservations", () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  const reserveDirectly = (payload: { generationId: string; accountId: string; keyId: string; amountMicros: number; keyLimited?: boolean; deadlineEpochMs?: number }) =>
    reserveCredits(
      { database: testDatabase.database, reservationTtlSeconds: 900, recaller: new LeaseRecaller({ database: testDatabase.database, publishRecall: () => undefined }) },
      payload,
    );

  it("skips reservations whose deadline passed while they waited: a 503 nobody reads, and nothing held", async () => {
    const { accountId, keyId } = await createFundedKey(testDatabase.database, 1_000_000, "deadline");
    await testDatabase.database.updateTable("api_keys").set({ limit_micros: 10_000 }).where("id", "=", keyId).execute();
    // The key's turn is taken (a long reservation ahead of the burst) while the burst queues behind it.
    let release: () => void = () => undefined;
    const ahead = limitedKeyTurns.run(keyId, () => new Promise<void>((resolve) => (release = resolve)));
    const deadlineEpochMs = Date.now() + 50;
    const late = Promise.allSettled(
      Array.from({ length: 20 }, () => reserveDirectly({ generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 100, keyLimited: true, deadlineEpochMs })),
    );
    const patient = reserveDirectly({ generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 100, keyLimited: true, deadlineEpochMs: Date.now() + 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await ahead;
    const outcomes = await late;
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ error: { status: 503, retryable: true } });
    }
    await expect(patient).resolves.toMatchObject({ amountMicros: 100 });
    const rows = await testDatabase.database.selectFrom("reservations").select("amount_micros").where("key_id", "=", keyId).execute();
    expect(rows).toEqual([{ amount_micros: 100 }]);
    expect(await getAccount(testDatabase.database, accountId)).toMatchObject({ reserved_micros: 100 });
  });

  it("a reservation whose deadline already passed when it arrives holds nothing", async () => {
    const { accountId, keyId } = await createFundedKey(testDatabase.database, 1_000_000, "expired-deadline");
    await testDatabase.database.updateTable("api_keys").set({ limit_micros: 10_000 }).where("id", "=", keyId).execute();
    await expect(
      reserveDirectly({ generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 100, keyLimited: true, deadlineEpochMs: Date.now() - 1 }),
    ).rejects.toMatchObject({ error: { status: 503 } });
    expect(await testDatabase.database.selectFrom("reservations").select("generation_id").where("key_id", "=", keyId).execute()).toEqual([]);
  });

  it("refuses a burst beyond the queue's bound with a retryable 503 and holds nothing for those refused", async () => {
    const { accountId, keyId } = await createFundedKey(testDatabase.database, 10_000_000, "bounded");
    await testDatabase.database.updateTable("api_keys").set({ limit_micros: 5_000_000 }).where("id", "=", keyId).execute();
    let release: () => void = () => undefined;
    const ahead = limitedKeyTurns.run(keyId, () => new Promise<void>((resolve) => (release = resolve)));
    // Settled as they come: those beyond the bound are refused at once, before the turn ahead ends.
    const burst = Promise.allSettled(Array.from({ length: 1_050 }, () => reserveDirectly({ generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 1, keyLimited: true })));
    // The turn ahead has started (its release is set) and the queue is full.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(limitedKeyTurns.queuedFor(keyId)).toBe(1_000);
    release();
    await ahead;
    const outcomes = await burst;
    const reserved = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
    const refused = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
    // The one ahead plus 999 waiting fill the bound of 1,000.
    expect(reserved).toBe(999);
    expect(refused).toHaveLength(51);
    for (const reason of refused) expect(reason).toMatchObject({ error: { status: 503, retryable: true } });
    expect(await getAccount(testDatabase.database, accountId)).toMatchObject({ reserved_micros: 999 });
  }, 60_000);
});
