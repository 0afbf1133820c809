import { randomUUID } from "node:crypto";
import {
  leaseCreditReplySchema,
  reserveReplySchema,
  returnLeaseReplySchema,
  SwitchboardError,
  type GatewayError,
} from "@switchboard/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { expireLeases, grantLease, returnLease } from "../../../services/billing/src/repositories/credit-leases.js";
import { reserve } from "../../../services/billing/src/repositories/reservations.js";
import { settleGenerations } from "../../../services/billing/src/repositories/settle-generations.js";
import { completedFact, findLedgerViolations, startBillingUnderTest, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// 1000 + 1000 tokens at the test price cost 750 µ$ (completedFact).
const factCostMicros = 750;

describe("credit leases", () => {
  let harness: BillingUnderTest;
  beforeAll(async () => {
    harness = await startBillingUnderTest({ leaseTtlSeconds: 900 });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const grant = (accountId: string, amountMicros: number, minimumMicros = 1) =>
    grantLease(harness.database, { leaseId: randomUUID(), accountId, holder: "test-ingress", amountMicros, minimumMicros, ttlSeconds: 900 });

  const leaseFact = (accountId: string, keyId: string, leaseId: string, holdMicros: number, consumedMicros: number) =>
    completedFact({ accountId, keyId, lease: { leaseId, holdMicros, consumedMicros } });

  it("grants at most half of what is free beyond the leases, so free credit always covers every lease", async () => {
    const { accountId } = await createFundedKey(harness.database, 10_000);
    const first = await grant(accountId, 100_000);
    expect(first.grantedMicros).toBe(5_000);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000, leased_micros: 5_000 });
    // free 5,000 − 2 × 5,000 leased leaves nothing to grant.
    expect((await grant(accountId, 1_000)).leaseId).toBeNull();
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("grants nothing below the minimum and nothing to an account that does not exist", async () => {
    const { accountId } = await createFundedKey(harness.database, 1_000);
    expect(await grant(accountId, 10_000, 600)).toMatchObject({ leaseId: null, grantedMicros: 0 });
    expect(await grant(randomUUID(), 10_000)).toMatchObject({ leaseId: null, grantedMicros: 0 });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 0 });
  });

  it("closes a lease once: its credit comes back, and a repeated return gives nothing twice", async () => {
    const { accountId } = await createFundedKey(harness.database, 100_000);
    const first = await grant(accountId, 10_000);
    const second = await grant(accountId, 5_000);
    expect([first.grantedMicros, second.grantedMicros]).toEqual([10_000, 5_000]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 15_000 });
    expect(await returnLease(harness.database, { leaseId: first.leaseId as string, accountId, expectedConsumptionMicros: 0 })).toBe(10_000);
    expect(await returnLease(harness.database, { leaseId: first.leaseId as string, accountId, expectedConsumptionMicros: 0 })).toBe(0);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 5_000 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("a lease returned before its grant arrives (the holder's request timed out) is never granted", async () => {
    const { accountId } = await createFundedKey(harness.database, 100_000);
    const leaseId = randomUUID();
    expect(await returnLease(harness.database, { leaseId, accountId, expectedConsumptionMicros: 0 })).toBe(0);
    const late = await grantLease(harness.database, { leaseId, accountId, holder: "test-ingress", amountMicros: 10_000, minimumMicros: 1, ttlSeconds: 900 });
    expect(late).toMatchObject({ leaseId: null, grantedMicros: 0 });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 0 });
    // And a lease granted once cannot be granted again under the same id.
    const granted = await grant(accountId, 1_000);
    const again = await grantLease(harness.database, { leaseId: granted.leaseId as string, accountId, holder: "x", amountMicros: 1_000, minimumMicros: 1, ttlSeconds: 900 });
    expect(again.leaseId).toBeNull();
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 1_000 });
  });

  it("charges a leased generation once, takes its cost from the lease, and ignores redeliveries", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const lease = await grant(accountId, 20_000);
    const leaseId = lease.leaseId as string;
    const fact = leaseFact(accountId, keyId, leaseId, 2_000, factCostMicros);
    const [first] = await settleGenerations(harness.database, [fact, fact]);
    expect(first).toMatchObject({ outcome: "settled", charged: true, costMicros: factCostMicros });
    const [again] = await settleGenerations(harness.database, [fact]);
    expect(again).toMatchObject({ outcome: "already-resolved", charged: false });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - factCostMicros, leased_micros: 20_000 - factCostMicros, reserved_micros: 0 });
    const row = await harness.database.selectFrom("reservations").selectAll().where("generation_id", "=", fact.generationId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ lease_id: leaseId, lease_consumed_micros: factCostMicros, status: "settled", charged_micros: factCostMicros, account_id: accountId });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  // Issue 8: billing settles only what it leased. A fact whose lease does not hold it charges nothing,
  // takes nothing from any lease, and is recorded once as an anomaly.
  const anomalyOf = (generationId: string) =>
    harness.database.selectFrom("settlement_anomalies").selectAll().where("generation_id", "=", generationId).executeTakeFirst();

  it("a fact naming another account's lease charges nothing, to either account, and is recorded as an anomaly", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const other = await createFundedKey(harness.database, 100_000, "other");
    const lease = await grant(accountId, 20_000);
    const forged = leaseFact(other.accountId, other.keyId, lease.leaseId as string, 1_000, factCostMicros);
    const [result] = await settleGenerations(harness.database, [forged]);
    expect(result).toMatchObject({ outcome: "anomaly", charged: false, anomaly: { reason: "account-mismatch", accountId: other.accountId, recorded: true } });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000, leased_micros: 20_000 });
    expect(await getAccount(harness.database, other.accountId)).toMatchObject({ balance_micros: 100_000, leased_micros: 0 });
    expect(await anomalyOf(forged.generationId)).toMatchObject({ account_id: other.accountId, key_id: other.keyId, lease_id: lease.leaseId, claimed_micros: factCostMicros, reason: "account-mismatch" });
    // The lease still serves its own account's generations.
    const [own] = await settleGenerations(harness.database, [leaseFact(accountId, keyId, lease.leaseId as string, 1_000, factCostMicros)]);
    expect(own).toMatchObject({ outcome: "settled", charged: true });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("a fact naming a lease that does not exist, a key of another account, or more than the lease was granted charges nothing", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const other = await createFundedKey(harness.database, 100_000, "other");
    const leaseId = (await grant(accountId, 10_000)).leaseId as string;
    const unknownLease = leaseFact(accountId, keyId, randomUUID(), 1_000, factCostMicros);
    const foreignKey = leaseFact(accountId, other.keyId, leaseId, 1_000, factCostMicros);
    const unknownKey = leaseFact(accountId, randomUUID(), leaseId, 1_000, factCostMicros);
    const tooLarge = leaseFact(accountId, keyId, leaseId, 10_001, 10_001);
    const results = await settleGenerations(harness.database, [unknownLease, foreignKey, unknownKey, tooLarge]);
    expect(results.map((result) => [result.outcome, result.charged, result.anomaly?.reason])).toEqual([
      ["anomaly", false, "lease-not-found"],
      ["anomaly", false, "key-mismatch"],
      ["anomaly", false, "key-mismatch"],
      ["anomaly", false, "exceeds-lease"],
    ]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000, leased_micros: 10_000, reserved_micros: 0 });
    const reservations = await harness.database
      .selectFrom("reservations")
      .select("generation_id")
      .where("generation_id", "in", [unknownLease, foreignKey, unknownKey, tooLarge].map((fact) => fact.generationId))
      .execute();
    expect(reservations).toEqual([]);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("a closed lease holds what its running generations may consume, and their facts release it", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const leaseId = (await grant(accountId, 10_000)).leaseId as string;
    // One generation ended (cost 750, fact not settled yet); one is running with a hold of 2,000.
    const ended = leaseFact(accountId, keyId, leaseId, 1_000, factCostMicros);
    const running = leaseFact(accountId, keyId, leaseId, 2_000, 2_000);
    expect(await returnLease(harness.database, { leaseId, accountId, expectedConsumptionMicros: factCostMicros + 2_000 })).toBe(10_000 - factCostMicros - 2_000);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: factCostMicros + 2_000 });
    await settleGenerations(harness.database, [running]);
    await settleGenerations(harness.database, [ended]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 0, balance_micros: 100_000 - 2 * factCostMicros, reserved_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("expiry gives back what a lease still holds; a late fact is charged but takes nothing from it", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const leaseId = (await grant(accountId, 10_000)).leaseId as string;
    await settleGenerations(harness.database, [leaseFact(accountId, keyId, leaseId, 1_000, factCostMicros)]);
    const expired = await expireLeases(harness.database, new Date(Date.now() + 901_000));
    expect(expired).toBeGreaterThanOrEqual(1);
    expect(await harness.database.selectFrom("credit_leases").select("status").where("id", "=", leaseId).executeTakeFirstOrThrow()).toEqual({ status: "expired" });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 0, balance_micros: 100_000 - factCostMicros });
    const [late] = await settleGenerations(harness.database, [leaseFact(accountId, keyId, leaseId, 1_000, factCostMicros)]);
    expect(late).toMatchObject({ charged: true });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 0, balance_micros: 100_000 - 2 * factCostMicros });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("facts take from a lease, in total, at most what it was granted less what was returned: beyond it, each is an anomaly, expired or not (issue 10 review)", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const leaseId = (await grant(accountId, 10_000)).leaseId as string;
    // Each fits the grant alone; together (in one batch, then in another) they would take 12,000.
    const batch = [leaseFact(accountId, keyId, leaseId, 4_000, 4_000), leaseFact(accountId, keyId, leaseId, 4_000, 4_000)];
    expect((await settleGenerations(harness.database, batch)).map((result) => result.outcome)).toEqual(["settled", "settled"]);
    const [over] = await settleGenerations(harness.database, [leaseFact(accountId, keyId, leaseId, 4_000, 4_000)]);
    expect(over).toMatchObject({ outcome: "anomaly", charged: false, anomaly: { reason: "exceeds-lease" } });
    // What is left (2,000) still serves.
    const [fitting] = await settleGenerations(harness.database, [leaseFact(accountId, keyId, leaseId, 2_000, 2_000)]);
    expect(fitting).toMatchObject({ outcome: "settled", charged: true });
    await expireLeases(harness.database, new Date(Date.now() + 901_000));
    const [late] = await settleGenerations(harness.database, [leaseFact(accountId, keyId, leaseId, 1_000, 1_000)]);
    expect(late).toMatchObject({ outcome: "anomaly", charged: false, anomaly: { reason: "exceeds-lease" } });
    // Each settled fact is charged its cost (750 µ$); the lease counts what it consumed (closed-lease style).
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - 3 * factCostMicros, leased_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("PostgreSQL refuses any statement that would hold more than the balance", async () => {
    const { accountId } = await createFundedKey(harness.database, 1_000);
    await expect(sql`UPDATE accounts SET leased_micros = 600, reserved_micros = 500 WHERE id = ${accountId}::uuid`.execute(harness.database)).rejects.toThrow(
      /would hold 1100 of a balance of 1000/,
    );
    await sql`UPDATE accounts SET leased_micros = 600, reserved_micros = 400 WHERE id = ${accountId}::uuid`.execute(harness.database);
    await sql`UPDATE accounts SET leased_micros = 0, reserved_micros = 0 WHERE id = ${accountId}::uuid`.execute(harness.database);
  });

  it("a reservation short only because of a lease recalls it, and succeeds once the holder returns it", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const leaseId = (await grant(accountId, 5_000)).leaseId as string;
    // A stand-in for the holding ingress: it answers the recall by returning its unused lease.
    const recalls: string[] = [];
    const subscription = harness.connection.subscribe(harness.subjects.creditRecall, {
      callback: (_error, message) => {
        const { accountId: recalled } = message.json<{ accountId: string }>();
        recalls.push(recalled);
        void harness.request(harness.subjects.billingReturnLease, { leaseId, accountId, expectedConsumptionMicros: 0 }, returnLeaseReplySchema);
      },
    });
    try {
      const generationId = `gen-${randomUUID()}`;
      const reply = await harness.request(harness.subjects.billingReserve, { generationId, accountId, keyId, amountMicros: 8_000 }, reserveReplySchema);
      expect(reply).toEqual({ generationId, amountMicros: 8_000 });
      expect(recalls).toContain(accountId);
      expect(await getAccount(harness.database, accountId)).toMatchObject({ reserved_micros: 8_000, leased_micros: 0 });
    } finally {
      subscription.unsubscribe();
    }
  });

  it("answers 402 after the recall window when no holder returns its lease, without recalling closed leases", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    await grant(accountId, 5_000);
    const startedAt = performance.now();
    const error = await harness
      .request(harness.subjects.billingReserve, { generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 8_000 }, reserveReplySchema)
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as { error: GatewayError }).error.status).toBe(402);
    expect(performance.now() - startedAt).toBeLessThan(3_000);
  });

  it("grants and returns over NATS", async () => {
    const { accountId } = await createFundedKey(harness.database, 10_000);
    const granted = await harness.request(
      harness.subjects.billingLeaseCredit,
      { leaseId: randomUUID(), accountId, holder: "ingress-a", amountMicros: 2_000, minimumMicros: 100 },
      leaseCreditReplySchema,
    );
    expect(granted).toMatchObject({ grantedMicros: 2_000, expiresInMs: 900_000 });
    const returned = await harness.request(
      harness.subjects.billingReturnLease,
      { leaseId: granted.leaseId, accountId, expectedConsumptionMicros: 500 },
      returnLeaseReplySchema,
    );
    expect(returned).toEqual({ returnedMicros: 1_500 });
  });

  it("whatever the interleaving of leases, reservations, returns, settlements and expiry, the account never goes below zero or holds more than it has", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 50_000);
    // 100 + 100 tokens at the test price: 75 µ$.
    const usage = { promptTokens: 100, completionTokens: 100, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    const costMicros = 75;
    // What each lease's holder knows, as an ingress keeps it: granted, consumed, held by running generations.
    const leases: { id: string; granted: number; consumed: number; outstanding: number; closed: boolean }[] = [];
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pickLease = () => leases[Math.floor(random() * leases.length)];
    let generationsInFlight = 0;
    const operations: (() => Promise<unknown>)[] = [];
    for (let index = 0; index < 400; index++) {
      const choice = random();
      const amount = costMicros + Math.floor(random() * 3_000);
      if (choice < 0.15) {
        operations.push(async () => {
          const granted = await grant(accountId, amount * 4);
          if (granted.leaseId) leases.push({ id: granted.leaseId, granted: granted.grantedMicros, consumed: 0, outstanding: 0, closed: false });
        });
      } else if (choice < 0.45) {
        operations.push(async () => {
          const generationId = `gen-${randomUUID()}`;
          const reservation = await reserve(harness.database, { generationId, accountId, keyId, amountMicros: amount, ttlSeconds: 900 }).catch(() => undefined);
          if (reservation) await settleGenerations(harness.database, [completedFact({ generationId, accountId, keyId, usage })]);
        });
      } else if (choice < 0.8) {
        operations.push(async () => {
          const lease = pickLease();
          if (!lease || lease.closed || lease.granted - lease.consumed - lease.outstanding < amount) return;
          lease.outstanding += amount;
          generationsInFlight++;
          await new Promise((resolve) => setTimeout(resolve, random() * 5));
          lease.outstanding -= amount;
          const consumedMicros = lease.closed ? amount : costMicros;
          lease.consumed += consumedMicros;
          await settleGenerations(harness.database, [
            completedFact({ accountId, keyId, usage, lease: { leaseId: lease.id, holdMicros: amount, consumedMicros } }),
          ]);
          generationsInFlight--;
        });
      } else if (choice < 0.95) {
        operations.push(async () => {
          const lease = pickLease();
          if (!lease) return;
          lease.closed = true;
          await returnLease(harness.database, { leaseId: lease.id, accountId, expectedConsumptionMicros: lease.consumed + lease.outstanding });
        });
      } else {
        // Time passes beyond every lease's expiry. An ingress takes no generation on a lease it could
        // not finish before the expiry, so by then the holders use none of them and all have reported.
        operations.push(async () => {
          for (const lease of leases) lease.closed = true;
          while (generationsInFlight > 0) await new Promise((resolve) => setTimeout(resolve, 2));
          await expireLeases(harness.database, new Date(Date.now() + 901_000));
        });
      }
    }
    // Eight at a time, so that statements really run concurrently against the same account row.
    for (let start = 0; start < operations.length; start += 8) {
      await Promise.all(operations.slice(start, start + 8).map((operation) => operation()));
      const account = await getAccount(harness.database, accountId);
      expect(account?.balance_micros).toBeGreaterThanOrEqual(0);
      expect((account?.reserved_micros ?? 0) + (account?.leased_micros ?? 0)).toBeLessThanOrEqual(account?.balance_micros ?? 0);
    }
    expect(await findLedgerViolations(harness.database)).toEqual([]);
    // The run exercised every path: several leases, generations settled against them and on the exact path.
    expect(leases.length).toBeGreaterThanOrEqual(3);
    const settled = await harness.database
      .selectFrom("reservations")
      .select((expression) => [expression.fn.count<number>("lease_id").as("leased"), expression.fn.countAll<number>().as("all")])
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    expect(Number(settled.leased)).toBeGreaterThanOrEqual(10);
    expect(Number(settled.all) - Number(settled.leased)).toBeGreaterThanOrEqual(20);
    await expireLeases(harness.database, new Date(Date.now() + 901_000));
    const account = await getAccount(harness.database, accountId);
    expect(account?.leased_micros).toBe(0);
    expect(account?.balance_micros).toBeGreaterThanOrEqual(0);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });
});
