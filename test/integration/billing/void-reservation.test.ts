import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { reserve } from "../../../services/billing/src/repositories/reservations.js";
import { settle } from "../../../services/billing/src/repositories/settle-generations.js";
import { voidReservation } from "../../../services/billing/src/repositories/void-reservation.js";
import { completedFact, findLedgerViolations, startBillingUnderTest, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// Issue 10: the void ingress sends when its reserve request got no answer.
describe("voiding a generation's reservation", () => {
  let harness: BillingUnderTest;
  beforeAll(async () => {
    harness = await startBillingUnderTest();
  });
  afterAll(async () => {
    await harness?.stop();
  });
  const reservationOf = (generationId: string) => harness.database.selectFrom("reservations").selectAll().where("generation_id", "=", generationId).executeTakeFirst();

  it("releases a pending hold once, however often it is asked", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    await reserve(harness.database, { generationId, accountId, keyId, amountMicros: 3_000, ttlSeconds: 900 });
    const released = await Promise.all([1, 2, 3].map(() => voidReservation(harness.database, { generationId, accountId, keyId })));
    expect(released.sort()).toEqual([0, 0, 3_000]);
    expect(await reservationOf(generationId)).toMatchObject({ status: "voided", amount_micros: 3_000 });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000, reserved_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("leaves a settled reservation, and another account's, as they are", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const other = await createFundedKey(harness.database, 10_000);
    const fact = completedFact({ accountId, keyId });
    await reserve(harness.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 3_000, ttlSeconds: 900 });
    await settle(harness.database, fact);
    expect(await voidReservation(harness.database, { generationId: fact.generationId, accountId, keyId })).toBe(0);
    expect(await reservationOf(fact.generationId)).toMatchObject({ status: "settled", charged_micros: 750 });
    const pending = `gen-${randomUUID()}`;
    await reserve(harness.database, { generationId: pending, accountId, keyId, amountMicros: 2_000, ttlSeconds: 900 });
    expect(await voidReservation(harness.database, { generationId: pending, accountId: other.accountId, keyId: other.keyId })).toBe(0);
    expect(await reservationOf(pending)).toMatchObject({ status: "pending", amount_micros: 2_000 });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000 - 750, reserved_micros: 2_000 });
  });

  it("leaves a tombstone when nothing is reserved yet, so a later reserve holds nothing", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    expect(await voidReservation(harness.database, { generationId, accountId, keyId })).toBe(0);
    expect(await voidReservation(harness.database, { generationId, accountId, keyId })).toBe(0);
    await expect(reserve(harness.database, { generationId, accountId, keyId, amountMicros: 3_000, ttlSeconds: 900 })).rejects.toMatchObject({ error: { status: 400 } });
    expect(await reservationOf(generationId)).toMatchObject({ status: "voided", amount_micros: 0 });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ reserved_micros: 0 });
  });
});
