import { randomUUID } from "node:crypto";
import { reserveReplySchema, SwitchboardError, type GatewayError } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { findLedgerViolations, startBillingUnderTest, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

describe("billing reservations over NATS", () => {
  let harness: BillingUnderTest;
  beforeAll(async () => {
    harness = await startBillingUnderTest({ reservationTtlSeconds: 900 });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const reserve = (request: { generationId: string; accountId: string; keyId: string; amountMicros: number }) =>
    harness.request(harness.subjects.billingReserve, request, reserveReplySchema);

  it("holds the amount and answers a repeated request for the same generation without holding twice", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 1_000);
    const generationId = `gen-${randomUUID()}`;
    expect(await reserve({ generationId, accountId, keyId, amountMicros: 400 })).toEqual({ generationId, amountMicros: 400 });
    expect(await reserve({ generationId, accountId, keyId, amountMicros: 400 })).toEqual({ generationId, amountMicros: 400 });

    const account = await getAccount(harness.database, accountId);
    expect(account).toMatchObject({ balance_micros: 1_000, reserved_micros: 400 });
    const reservation = await harness.database.selectFrom("reservations").selectAll().where("generation_id", "=", generationId).executeTakeFirstOrThrow();
    expect(reservation).toMatchObject({ status: "pending", amount_micros: 400, key_id: keyId, charged_micros: null, resolved_at: null });
    const ttlMs = reservation.expires_at.getTime() - reservation.created_at.getTime();
    expect(ttlMs).toBeGreaterThan(899_000);
    expect(ttlMs).toBeLessThan(901_000);
  });

  it("holds once when the same generation is reserved concurrently", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 1_000);
    const generationId = `gen-${randomUUID()}`;
    const replies = await Promise.all(Array.from({ length: 20 }, () => reserve({ generationId, accountId, keyId, amountMicros: 300 })));
    expect(replies.every((reply) => reply.amountMicros === 300)).toBe(true);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 1_000, reserved_micros: 300 });
  });

  it("answers 402 with the required and available amounts when the account is short", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 1_500);
    await reserve({ generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 1_000 });
    const generationId = `gen-${randomUUID()}`;
    let error: GatewayError | undefined;
    try {
      await reserve({ generationId, accountId, keyId, amountMicros: 9_981 });
    } catch (thrown) {
      if (thrown instanceof SwitchboardError) error = thrown.error;
    }
    expect(error).toEqual({
      code: "insufficient_credits",
      status: 402,
      retryable: false,
      message: "Insufficient credits: this request needs up to $0.009981 but the account has $0.0005 available. Add credits, or lower max_tokens.",
      metadata: { required_usd: "0.009981", available_usd: "0.0005" },
    });
    // The refused reservation left nothing behind.
    expect(await harness.database.selectFrom("reservations").select("generation_id").where("generation_id", "=", generationId).execute()).toEqual([]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ reserved_micros: 1_000 });
  });

  it("answers 404 when the account or key does not exist", async () => {
    const { accountId } = await createFundedKey(harness.database, 100);
    await expect(reserve({ generationId: `gen-${randomUUID()}`, accountId, keyId: randomUUID(), amountMicros: 1 })).rejects.toMatchObject({
      error: { code: "not_found", status: 404 },
    });
    await expect(reserve({ generationId: `gen-${randomUUID()}`, accountId: "nope", keyId: "nope", amountMicros: 1 })).rejects.toMatchObject({
      error: { code: "not_found", status: 404 },
    });
  });

  it("L1: 100 concurrent reservations of 10 µ$ on a 500 µ$ balance: exactly 50 succeed, 50 get 402", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 500, "race");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, () => reserve({ generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 10 })),
    );
    const succeeded = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const refusals = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
    expect(succeeded).toHaveLength(50);
    expect(refusals).toHaveLength(50);
    for (const refusal of refusals) expect(refusal).toMatchObject({ error: { code: "insufficient_credits", status: 402 } });

    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 500, reserved_micros: 500 });
    const pending = await harness.database.selectFrom("reservations").select("generation_id").where("account_id", "=", accountId).where("status", "=", "pending").execute();
    expect(pending).toHaveLength(50);
  });

  it("keeps reserved = Σ pending reservations and balance = Σ ledger entries", async () => {
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });
});
