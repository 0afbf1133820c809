import { randomUUID } from "node:crypto";
import { keyReplySchema } from "@switchboard/contracts";
import { requestReply } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reserveCredits } from "../../../services/billing/src/handlers/reserve-credits.js";
import { LeaseRecaller } from "../../../services/billing/src/lease-recaller.js";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { hasActiveLease } from "../../../services/billing/src/repositories/credit-leases.js";
import { getKeyLimitUseMicros } from "../../../services/billing/src/repositories/key-usage.js";
import { settleGenerations } from "../../../services/billing/src/repositories/settle-generations.js";
import { CreditLeases } from "../../../services/ingress/src/credit/credit-leases.js";
import { testLogger } from "../../support/silent-logger.js";
import { testAdminCaller } from "../../support/test-admin-caller.js";
import { waitFor } from "../../support/wait-for.js";
import { completedFact, findLedgerViolations, startBillingUnderTest, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// Issue 10 review: generations held against an ingress's credit lease have no reservation row until they
// settle, so a limit given to their key cannot see them, and an ingress that has not heard of the change
// yet would go on holding the key's generations against its lease. Setting a limit recalls the account's
// leases: held credit comes back, and the next requests are reserved exactly, against the limit.
describe("giving a key a limit while its generations are held against a lease", () => {
  let harness: BillingUnderTest;
  let leases: CreditLeases;
  beforeAll(async () => {
    harness = await startBillingUnderTest({ leaseTtlSeconds: 900 });
    leases = new CreditLeases({
      clients: {
        connection: harness.connection,
        subjects: harness.subjects,
        request: (subject, payload, schema) => requestReply(harness.connection, subject, payload, schema, { timeoutMs: 5_000 }),
      },
      logger: testLogger("credit-leases"),
      holder: `test-${randomUUID()}`,
      generationMaximumDurationMs: 60_000,
      idleMs: 60_000,
    });
    leases.start();
  });
  afterAll(async () => {
    await leases?.stop();
    await harness?.stop();
  });

  // What an ingress that has not heard of the limit sends: no keyLimited flag.
  const reserveExactly = (accountId: string, keyId: string, amountMicros: number) =>
    reserveCredits(
      { database: harness.database, reservationTtlSeconds: 900, recaller: new LeaseRecaller({ database: harness.database, publishRecall: () => undefined }) },
      { generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros },
    );

  it("recalls the account's leases before answering; the next requests are reserved against the limit, and the lease-held generation counts once settled", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000_000, "recalled");
    const { key_hash: keyHash } = await harness.database.selectFrom("api_keys").select("key_hash").where("id", "=", keyId).executeTakeFirstOrThrow();
    expect(leases.tryHold(accountId, 2_000)).toBeNull();
    const inFlight = await waitFor(async () => leases.tryHold(accountId, 2_000) ?? undefined, 5_000, "a lease");
    expect(await hasActiveLease(harness.database, accountId)).toBe(true);

    const changed = await harness.request(harness.subjects.billingUpdateKey, { keyHash, limitMicros: 3_000, caller: testAdminCaller }, keyReplySchema);
    expect(changed.data).toMatchObject({ limit: 0.003 });
    // Answered once the lease is back: closed, keeping only the running generation's hold.
    expect(await hasActiveLease(harness.database, accountId)).toBe(false);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 2_000, reserved_micros: 0 });
    // This replica holds nothing against a lease now: its requests go to billing.
    expect(leases.tryHold(accountId, 500)).toBeNull();

    // Billing finds the limit by itself: exact reservations, counted against it.
    await reserveExactly(accountId, keyId, 2_000);
    await expect(reserveExactly(accountId, keyId, 1_001)).rejects.toMatchObject({ error: { status: 402 } });

    // The generation held against the lease ends (1,000 + 1,000 tokens at the test price: 750 µ$) and counts.
    const hold = leases.finish(inFlight, 750);
    const [settled] = await settleGenerations(harness.database, [completedFact({ accountId, keyId, lease: hold })]);
    expect(settled).toMatchObject({ outcome: "settled", costMicros: 750 });
    expect(await getKeyLimitUseMicros(harness.database, keyId, null)).toBe(2_000 + 750);
    await expect(reserveExactly(accountId, keyId, 251)).rejects.toMatchObject({ error: { status: 402 } });
    await reserveExactly(accountId, keyId, 250);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("lifting a limit, or renaming a key, recalls nothing", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000_000, "untouched");
    const { key_hash: keyHash } = await harness.database.selectFrom("api_keys").select("key_hash").where("id", "=", keyId).executeTakeFirstOrThrow();
    leases.tryHold(accountId, 1_000);
    await waitFor(async () => ((await hasActiveLease(harness.database, accountId)) ? true : undefined), 5_000, "a lease");
    await harness.request(harness.subjects.billingUpdateKey, { keyHash, limitMicros: null, caller: testAdminCaller }, keyReplySchema);
    await harness.request(harness.subjects.billingUpdateKey, { keyHash, name: "renamed", caller: testAdminCaller }, keyReplySchema);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await hasActiveLease(harness.database, accountId)).toBe(true);
  });
});
