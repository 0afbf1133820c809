import { randomUUID } from "node:crypto";
import { reserveReplySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { getKeyUsageMicros } from "../../../services/billing/src/repositories/api-keys.js";
import { expirePendingReservations, reserve as reserveDirectly } from "../../../services/billing/src/repositories/reservations.js";
import {
  completedFact,
  findLedgerViolations,
  publishFact,
  startBillingUnderTest,
  waitFor,
  waitForConsumerIdle,
  type BillingUnderTest,
} from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

describe("billing settles generation-completed facts", () => {
  let harness: BillingUnderTest;
  beforeAll(async () => {
    harness = await startBillingUnderTest();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const reserve = (request: { generationId: string; accountId: string; keyId: string; amountMicros: number }) =>
    harness.request(harness.subjects.billingReserve, request, reserveReplySchema);
  const consumerIdle = () => waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer);
  const chargesOf = (generationId: string) =>
    harness.database.selectFrom("ledger_entries").selectAll().where("generation_id", "=", generationId).where("kind", "=", "charge").execute();
  const reservationOf = (generationId: string) =>
    harness.database.selectFrom("reservations").selectAll().where("generation_id", "=", generationId).executeTakeFirstOrThrow();

  it("charges the actual cost and releases the hold", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    await reserve({ generationId, accountId, keyId, amountMicros: 5_000 });

    await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId }));
    await waitFor(async () => (await reservationOf(generationId)).status !== "pending");

    expect(await reservationOf(generationId)).toMatchObject({ status: "settled", charged_micros: 750, resolved_at: expect.any(Date) });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 9_250, reserved_micros: 0 });
    expect(await chargesOf(generationId)).toMatchObject([{ account_id: accountId, amount_micros: -750 }]);
    expect(await getKeyUsageMicros(harness.database, keyId)).toBe(750);
  });

  it("L3: the same fact delivered 5 times with distinct message ids is charged once", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const generationIds = Array.from({ length: 20 }, () => `gen-${randomUUID()}`);
    for (const generationId of generationIds) await reserve({ generationId, accountId, keyId, amountMicros: 2_000 });

    for (let copy = 0; copy < 5; copy++) {
      await Promise.all(
        generationIds.map((generationId) =>
          publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId }), `${generationId}#${copy}`),
        ),
      );
    }
    await consumerIdle();

    for (const generationId of generationIds) {
      expect(await chargesOf(generationId)).toHaveLength(1);
      expect(await reservationOf(generationId)).toMatchObject({ status: "settled", charged_micros: 750 });
    }
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - 20 * 750, reserved_micros: 0 });
  });

  it("voids a failed generation that produced nothing, without a ledger entry", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    await reserve({ generationId, accountId, keyId, amountMicros: 5_000 });
    const usage = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, reasoningTokens: 0 };
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId, usage, status: "error", errorCode: "upstream_error", finishReason: null }));
    await waitFor(async () => (await reservationOf(generationId)).status !== "pending");

    expect(await reservationOf(generationId)).toMatchObject({ status: "voided", charged_micros: 0 });
    expect(await chargesOf(generationId)).toEqual([]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000, reserved_micros: 0 });
  });

  it("charges a cancelled generation for the tokens it produced, even beyond its reservation", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    await reserve({ generationId, accountId, keyId, amountMicros: 100 });
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId, status: "cancelled", usageEstimated: true }));
    await waitFor(async () => (await reservationOf(generationId)).status !== "pending");

    expect(await reservationOf(generationId)).toMatchObject({ status: "settled", charged_micros: 750 });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 9_250, reserved_micros: 0 });
  });

  it("charges a generation without a reservation once, however often its fact arrives", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    for (let copy = 0; copy < 3; copy++) {
      await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId }), `${generationId}#${copy}`);
    }
    await consumerIdle();

    expect(await chargesOf(generationId)).toMatchObject([{ account_id: accountId, amount_micros: -750 }]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 9_250, reserved_micros: 0 });
  });

  it("acknowledges a fact for an unknown account and generation without charging anything", async () => {
    const generationId = `gen-${randomUUID()}`;
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId: randomUUID(), keyId: randomUUID() }));
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId: `gen-${randomUUID()}`, accountId: "not-a-uuid", keyId: "x" }));
    await consumerIdle();
    expect(await chargesOf(generationId)).toEqual([]);
  });

  it("charges a fact that arrives after its reservation expired, once, and keeps the reservation expired", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    await reserveDirectly(harness.database, { generationId, accountId, keyId, amountMicros: 5_000, ttlSeconds: 1, now: new Date(Date.now() - 60_000) });
    await expirePendingReservations(harness.database, new Date());
    expect(await getAccount(harness.database, accountId)).toMatchObject({ reserved_micros: 0 });

    for (let copy = 0; copy < 3; copy++) {
      await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId }), `${generationId}#${copy}`);
    }
    await consumerIdle();

    expect(await reservationOf(generationId)).toMatchObject({ status: "expired", charged_micros: 750 });
    expect(await chargesOf(generationId)).toHaveLength(1);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 9_250, reserved_micros: 0 });
  });

  it("keeps balance = Σ ledger entries and reserved = Σ pending reservations", async () => {
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });
});
