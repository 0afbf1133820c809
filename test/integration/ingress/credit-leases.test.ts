import { randomUUID } from "node:crypto";
import { requestReply } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { settleGenerations } from "../../../services/billing/src/repositories/settle-generations.js";
import { CreditLeases } from "../../../services/ingress/src/credit/credit-leases.js";
import { completedFact, findLedgerViolations, startBillingUnderTest, type BillingUnderTest } from "../billing/billing-test-kit.js";
import { createFundedKey } from "../billing/funded-key.js";
import { testLogger } from "../../support/silent-logger.js";
import { waitFor } from "../../support/wait-for.js";

// The ingress side of credit leases against the real billing service, NATS and PostgreSQL.
describe("ingress credit leases", () => {
  let harness: BillingUnderTest;
  const started: CreditLeases[] = [];
  beforeAll(async () => {
    harness = await startBillingUnderTest({ leaseTtlSeconds: 900 });
  });
  afterAll(async () => {
    await Promise.all(started.map((leases) => leases.stop()));
    await harness?.stop();
  });

  const startLeases = (options: { idleMs?: number } = {}) => {
    const leases = new CreditLeases({
      clients: {
        connection: harness.connection,
        subjects: harness.subjects,
        request: (subject, payload, schema) => requestReply(harness.connection, subject, payload, schema, { timeoutMs: 5_000 }),
      },
      logger: testLogger("credit-leases"),
      holder: `test-${randomUUID()}`,
      generationMaximumDurationMs: 60_000,
      idleMs: options.idleMs ?? 60_000,
    });
    leases.start();
    started.push(leases);
    return leases;
  };
  const leasedOf = async (accountId: string) => (await getAccount(harness.database, accountId))?.leased_micros;
  /** Waits until this replica received its lease (billing commits before its answer arrives). */
  const waitForLease = (leases: CreditLeases, accountId: string) =>
    waitFor(
      async () => {
        const ticket = leases.tryHold(accountId, 1);
        if (ticket) leases.finish(ticket, 0);
        return ticket ?? undefined;
      },
      5_000,
      "a lease",
    );

  it("holds nothing before billing granted a lease, then holds in memory against it", async () => {
    const { accountId } = await createFundedKey(harness.database, 1_000_000);
    const leases = startLeases();
    expect(leases.tryHold(accountId, 1_000)).toBeNull();
    // Sized to 16 holds of 1,000 µ$ at least.
    await waitForLease(leases, accountId);
    expect(await leasedOf(accountId)).toBeGreaterThanOrEqual(16_000);
    const ticket = leases.tryHold(accountId, 1_000);
    expect(ticket).not.toBeNull();
    expect(leases.finish(ticket!, 400)).toMatchObject({ holdMicros: 1_000, consumedMicros: 400 });
  });

  it("a recall closes the lease and gives back all but what its generations consume", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 1_000_000);
    const leases = startLeases();
    leases.tryHold(accountId, 1_000);
    await waitForLease(leases, accountId);
    // Small holds, so that the lease does not run low and get replaced during the test.
    const ended = leases.tryHold(accountId, 100);
    const running = leases.tryHold(accountId, 200);
    expect(ended && running).toBeTruthy();
    const endedHold = leases.finish(ended!, 75);
    harness.connection.publish(harness.subjects.creditRecall, JSON.stringify({ accountId }));
    // Billing keeps 75 for the ended generation and the running one's hold of 200.
    await waitFor(async () => ((await leasedOf(accountId)) === 275 ? true : undefined), 5_000, "the return");
    const runningHold = leases.finish(running!, 75);
    expect(runningHold.consumedMicros).toBe(200);
    // 100 + 100 tokens at the test price: 75 µ$.
    const usage = { promptTokens: 100, completionTokens: 100, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    await settleGenerations(harness.database, [
      completedFact({ accountId, keyId, usage, lease: endedHold }),
      completedFact({ accountId, keyId, usage, lease: runningHold }),
    ]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 0, balance_micros: 1_000_000 - 2 * 75, reserved_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("returns a lease no generation used for the idle time", async () => {
    const { accountId } = await createFundedKey(harness.database, 1_000_000);
    const leases = startLeases({ idleMs: 300 });
    leases.tryHold(accountId, 1_000);
    await waitFor(async () => (((await leasedOf(accountId)) ?? 0) > 0 ? true : undefined), 5_000, "a lease");
    await waitFor(async () => ((await leasedOf(accountId)) === 0 ? true : undefined), 5_000, "the idle return");
  });

  it("asks an account near empty for nothing: its requests take the exact path", async () => {
    const { accountId } = await createFundedKey(harness.database, 5_000);
    const leases = startLeases();
    // A hold of 3,000 wants a lease of 48,000; billing grants at most half the free 5,000, less than
    // the hold itself, so nothing.
    expect(leases.tryHold(accountId, 3_000)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(leases.tryHold(accountId, 3_000)).toBeNull();
    expect(await leasedOf(accountId)).toBe(0);
  });

  it("replaces a lease running low with a new one and returns the old one", async () => {
    const { accountId } = await createFundedKey(harness.database, 10_000_000);
    const leases = startLeases();
    leases.tryHold(accountId, 1_000);
    await waitForLease(leases, accountId);
    const leaseIds = new Set<string>();
    for (let index = 0; index < 200; index++) {
      const ticket = leases.tryHold(accountId, 1_000);
      if (ticket) {
        leaseIds.add(ticket.lease.id);
        leases.finish(ticket, 1_000);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(leaseIds.size).toBeGreaterThanOrEqual(2);
    const rows = await harness.database.selectFrom("credit_leases").select("status").where("account_id", "=", accountId).execute();
    expect(rows.filter((row) => row.status === "active")).toHaveLength(1);
    expect(rows.filter((row) => row.status === "closed").length).toBeGreaterThanOrEqual(1);
  });

  it("sizes leases to the account's spend, so that a burst is held in memory rather than on the exact path", async () => {
    const { accountId } = await createFundedKey(harness.database, 100_000_000);
    const leases = startLeases();
    leases.tryHold(accountId, 1_000);
    await waitForLease(leases, accountId);
    let heldInMemory = 0;
    for (let index = 0; index < 400; index++) {
      const ticket = leases.tryHold(accountId, 1_000);
      if (ticket) {
        heldInMemory++;
        leases.finish(ticket, 1_000);
      }
      if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const granted = await harness.database
      .selectFrom("credit_leases")
      .select("granted_micros")
      .where("account_id", "=", accountId)
      .where("granted_micros", ">", 0)
      .orderBy("created_at")
      .execute();
    // The first lease covers 16 holds; the next are sized to 3 s of the spend measured since.
    expect(granted[0]?.granted_micros).toBe(16_000);
    expect(Math.max(...granted.map((row) => row.granted_micros))).toBeGreaterThanOrEqual(128_000);
    // Most of the burst, though a loaded machine answers some lease requests late.
    expect(heldInMemory).toBeGreaterThan(200);
  });

  it("stop returns every lease", async () => {
    const { accountId } = await createFundedKey(harness.database, 1_000_000);
    const leases = startLeases();
    leases.tryHold(accountId, 1_000);
    await waitFor(async () => (((await leasedOf(accountId)) ?? 0) > 0 ? true : undefined), 5_000, "a lease");
    await leases.stop();
    expect(await leasedOf(accountId)).toBe(0);
  });
});
