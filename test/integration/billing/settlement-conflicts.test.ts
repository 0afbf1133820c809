import { randomUUID } from "node:crypto";
import { computeCostMicros, type GenerationCompleted } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { grantLease } from "../../../services/billing/src/repositories/credit-leases.js";
import { reserve } from "../../../services/billing/src/repositories/reservations.js";
import { settleGenerations } from "../../../services/billing/src/repositories/settle-generations.js";
import { listSettlementAnomalies } from "../../../services/billing/src/repositories/settlement-anomalies.js";
import { completedFact, findLedgerViolations, publishFact, startBillingUnderTest, waitForConsumerIdle, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// Issue 10: "The same generation id with different usage → no ledger change, the conflict recorded."
describe("completion facts of one generation id that disagree", () => {
  let harness: BillingUnderTest;
  beforeAll(async () => {
    harness = await startBillingUnderTest();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const withCompletionTokens = (fact: GenerationCompleted, completionTokens: number): GenerationCompleted => ({ ...fact, usage: { ...fact.usage, completionTokens } });
  const costOf = (fact: GenerationCompleted) => computeCostMicros(fact.usage, fact.price);
  const conflictsOf = async (generationId: string) =>
    (await listSettlementAnomalies(harness.database, 10_000)).filter((anomaly) => anomaly.generation_id === generationId);
  const ledgerOf = (generationId: string) => harness.database.selectFrom("ledger_entries").selectAll().where("generation_id", "=", generationId).execute();

  it("changes nothing and records each differing cost once, while an identical redelivery stays silent", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const fact = completedFact({ accountId, keyId });
    await reserve(harness.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 5_000, ttlSeconds: 900 });
    expect((await settleGenerations(harness.database, [fact]))[0]).toMatchObject({ outcome: "settled", charged: true });
    const ledgerAfterSettlement = await ledgerOf(fact.generationId);
    const accountAfterSettlement = await getAccount(harness.database, accountId);

    expect((await settleGenerations(harness.database, [fact]))[0]).toMatchObject({ outcome: "already-resolved", charged: false });
    expect(await conflictsOf(fact.generationId)).toEqual([]);

    const more = withCompletionTokens(fact, 3_000);
    const fewer = withCompletionTokens(fact, 10);
    expect(costOf(more)).not.toBe(costOf(fact));
    const [first] = await settleGenerations(harness.database, [more]);
    expect(first).toMatchObject({ outcome: "anomaly", charged: false, costMicros: costOf(more), anomaly: { reason: "conflicting-usage", recorded: true } });
    const [again] = await settleGenerations(harness.database, [more]);
    expect(again).toMatchObject({ outcome: "anomaly", anomaly: { reason: "conflicting-usage", recorded: false } });
    const [other] = await settleGenerations(harness.database, [fewer]);
    expect(other).toMatchObject({ outcome: "anomaly", anomaly: { reason: "conflicting-usage", recorded: true } });

    const conflicts = await conflictsOf(fact.generationId);
    expect(conflicts.map((conflict) => [conflict.reason, conflict.claimed_micros]).sort()).toEqual(
      [["conflicting-usage", costOf(fewer)], ["conflicting-usage", costOf(more)]].sort(),
    );
    expect(await ledgerOf(fact.generationId)).toEqual(ledgerAfterSettlement);
    expect(await getAccount(harness.database, accountId)).toEqual(accountAfterSettlement);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("judges a copy within the same batch that claims another cost against the first copy's settlement", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const fact = completedFact({ accountId, keyId });
    const differing = withCompletionTokens(fact, 2_000);
    await reserve(harness.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 5_000, ttlSeconds: 900 });
    const results = await settleGenerations(harness.database, [fact, differing, fact, differing]);
    expect(results.map((result) => [result.outcome, result.costMicros])).toEqual([
      ["settled", costOf(fact)],
      ["anomaly", costOf(differing)],
      ["settled", costOf(fact)],
      ["anomaly", costOf(differing)],
    ]);
    expect((await ledgerOf(fact.generationId)).filter((entry) => entry.account_id === accountId)).toEqual([expect.objectContaining({ amount_micros: -costOf(fact) })]);
    expect((await conflictsOf(fact.generationId)).map((conflict) => conflict.claimed_micros)).toEqual([costOf(differing)]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - costOf(fact), reserved_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("compares a generation held against a lease with what it was charged from the lease", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const lease = await grantLease(harness.database, { leaseId: randomUUID(), accountId, holder: "test-ingress", amountMicros: 20_000, minimumMicros: 1, ttlSeconds: 900 });
    const leaseId = lease.leaseId as string;
    const fact = completedFact({ accountId, keyId, lease: { leaseId, holdMicros: 2_000, consumedMicros: 750 } });
    const differing = { ...withCompletionTokens(fact, 500), lease: { leaseId, holdMicros: 2_000, consumedMicros: 450 } };
    expect((await settleGenerations(harness.database, [fact]))[0]).toMatchObject({ outcome: "settled", charged: true });
    const accountAfterSettlement = await getAccount(harness.database, accountId);
    expect((await settleGenerations(harness.database, [fact]))[0]).toMatchObject({ outcome: "already-resolved" });
    expect((await settleGenerations(harness.database, [differing]))[0]).toMatchObject({ outcome: "anomaly", anomaly: { reason: "conflicting-usage", recorded: true } });
    expect(await getAccount(harness.database, accountId)).toEqual(accountAfterSettlement);
    expect((await conflictsOf(fact.generationId)).map((conflict) => [conflict.lease_id, conflict.claimed_micros])).toEqual([[leaseId, costOf(differing)]]);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("counts a conflict arriving through the consumer once, in the anomaly counter", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const fact = completedFact({ accountId, keyId });
    await reserve(harness.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 5_000, ttlSeconds: 900 });
    const before = harness.billing.settlementAnomalies.snapshot()["conflicting-usage"];
    const differing = withCompletionTokens(fact, 1_500);
    await publishFact(harness.connection, harness.subjects, fact, `${fact.generationId}#0`);
    await publishFact(harness.connection, harness.subjects, differing, `${fact.generationId}#1`);
    await publishFact(harness.connection, harness.subjects, differing, `${fact.generationId}#2`);
    await publishFact(harness.connection, harness.subjects, fact, `${fact.generationId}#3`);
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer);
    expect(harness.billing.settlementAnomalies.snapshot()["conflicting-usage"]).toBe(before + 1);
    expect((await conflictsOf(fact.generationId)).map((conflict) => conflict.claimed_micros)).toEqual([costOf(differing)]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - costOf(fact), reserved_micros: 0 });
  });
});
