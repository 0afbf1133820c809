import { randomUUID } from "node:crypto";
import { computeCostMicros, computeMaximumCostMicros, listSettlementAnomaliesReplySchema, parseUsdPerTokenToPicos, reserveReplySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { getKeyUsageMicros } from "../../../services/billing/src/repositories/api-keys.js";
import { expirePendingReservations, reserve as reserveDirectly } from "../../../services/billing/src/repositories/reservations.js";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
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
  const capture: LogCapture = { lines: [] };
  beforeAll(async () => {
    harness = await startBillingUnderTest({ logger: testLogger("billing", capture) });
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

  it("charges a split usage each part at the endpoint's own price, within the reservation bound", async () => {
    const picos = (usd: string) => parseUsdPerTokenToPicos(usd).toString();
    // Claude Sonnet's list prices with a reasoning price and a per-request price of our own making.
    const price = {
      promptPicosPerToken: picos("0.000003"),
      completionPicosPerToken: picos("0.000015"),
      cacheReadPicosPerToken: picos("0.0000003"),
      cacheWritePicosPerToken: picos("0.00000375"),
      reasoningPicosPerToken: picos("0.00002"),
      requestPicos: picos("0.005"),
    };
    const usage = { promptTokens: 10_000, completionTokens: 500, cachedPromptTokens: 8_000, cacheWriteTokens: 1_000, reasoningTokens: 400 };
    // 1,000 × 3 + 8,000 × 0.3 + 1,000 × 3.75 + 100 × 15 + 400 × 20 + 5,000 µ$.
    const expected = 3_000 + 2_400 + 3_750 + 1_500 + 8_000 + 5_000;
    // What ingress shows as usage.cost is computeCostMicros of the same usage and price.
    expect(computeCostMicros(usage, price)).toBe(expected);
    // The reservation: every prompt token at the cache-write price, every output token at the reasoning price.
    const bound = computeMaximumCostMicros(10_000, 500, price);
    expect(bound).toBe(37_500 + 10_000 + 5_000);

    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const generationId = `gen-${randomUUID()}`;
    await reserve({ generationId, accountId, keyId, amountMicros: bound });
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId, price, usage }));
    await waitFor(async () => (await reservationOf(generationId)).status !== "pending");

    expect(await reservationOf(generationId)).toMatchObject({ status: "settled", charged_micros: expected });
    expect(await chargesOf(generationId)).toMatchObject([{ account_id: accountId, amount_micros: -expected }]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - expected, reserved_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
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
    const usage = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
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

  // Issue 8: billing charges only what it reserved or leased. A fact it holds nothing for is recorded
  // once as an anomaly, acknowledged, counted, logged once, listed for the admin, and never charged.
  const listAnomalies = (limit = 500) => harness.request(harness.subjects.billingListSettlementAnomalies, { limit }, listSettlementAnomaliesReplySchema);
  const anomalyWarnings = (generationId: string) =>
    capture.lines.filter((line) => line.includes(generationId) && line.includes('"level":40') && line.includes("settlement anomaly"));

  it("records a forged fact (the right shape, no hold) once as an anomaly and charges nothing, however often it arrives", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    const before = harness.billing.settlementAnomalies.snapshot()["no-hold"];
    for (let copy = 0; copy < 3; copy++) {
      await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId }), `${generationId}#${copy}`);
    }
    await consumerIdle();

    expect(await chargesOf(generationId)).toEqual([]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000, reserved_micros: 0 });
    const listed = (await listAnomalies()).data.filter((anomaly) => anomaly.generation_id === generationId);
    expect(listed).toEqual([
      { generation_id: generationId, account_id: accountId, key_id: keyId, lease_id: null, claimed_micros: 750, reason: "no-hold", recorded_at: expect.any(String) },
    ]);
    expect(harness.billing.settlementAnomalies.snapshot()["no-hold"]).toBe(before + 1);
    expect(anomalyWarnings(generationId)).toHaveLength(1);
    expect(JSON.parse(anomalyWarnings(generationId)[0] ?? "{}")).toMatchObject({ generation_id: generationId, account_id: accountId, reason: "no-hold" });
  });

  it("records a fact naming another account or key than its reservation, charges nothing, and settles the real fact later", async () => {
    const owner = await createFundedKey(harness.database, 10_000);
    const other = await createFundedKey(harness.database, 10_000, "other");
    const forAccount = `gen-${randomUUID()}`;
    const forKey = `gen-${randomUUID()}`;
    await reserve({ generationId: forAccount, ...owner, amountMicros: 2_000 });
    await reserve({ generationId: forKey, ...owner, amountMicros: 2_000 });
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId: forAccount, ...other }), `${forAccount}#forged`);
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId: forKey, accountId: owner.accountId, keyId: other.keyId }), `${forKey}#forged`);
    await consumerIdle();

    expect(await getAccount(harness.database, other.accountId)).toMatchObject({ balance_micros: 10_000 });
    expect(await getAccount(harness.database, owner.accountId)).toMatchObject({ balance_micros: 10_000, reserved_micros: 4_000 });
    const reasons = new Map((await listAnomalies()).data.map((anomaly) => [anomaly.generation_id, anomaly.reason]));
    expect([reasons.get(forAccount), reasons.get(forKey)]).toEqual(["account-mismatch", "key-mismatch"]);

    for (const generationId of [forAccount, forKey]) await publishFact(harness.connection, harness.subjects, completedFact({ generationId, ...owner }));
    await consumerIdle();
    expect(await getAccount(harness.database, owner.accountId)).toMatchObject({ balance_micros: 10_000 - 2 * 750, reserved_micros: 0 });
  });

  it("lists anomalies newest first, at most `limit`", async () => {
    for (let index = 0; index < 3; index++) {
      await publishFact(harness.connection, harness.subjects, completedFact({ generationId: `gen-${randomUUID()}` }));
      await consumerIdle();
    }
    const { data } = await listAnomalies(2);
    expect(data).toHaveLength(2);
    const times = (await listAnomalies()).data.map((anomaly) => Date.parse(anomaly.recorded_at));
    expect(times).toEqual([...times].sort((first, second) => second - first));
  });

  it("acknowledges a fact for an unknown account and generation without charging anything, and records it", async () => {
    const generationId = `gen-${randomUUID()}`;
    const malformed = `gen-${randomUUID()}`;
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId: randomUUID(), keyId: randomUUID() }));
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId: malformed, accountId: "not-a-uuid\u0000\n", keyId: "x" }));
    await consumerIdle();
    expect(await chargesOf(generationId)).toEqual([]);
    const listed = new Map((await listAnomalies()).data.map((anomaly) => [anomaly.generation_id, anomaly]));
    expect(listed.get(generationId)).toMatchObject({ reason: "no-hold" });
    // Control characters are replaced, so a hostile id is still recorded (PostgreSQL text refuses NUL).
    expect(listed.get(malformed)).toMatchObject({ reason: "no-hold", account_id: "not-a-uuid\uFFFD\uFFFD", key_id: "x" });
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
