import { requestReply } from "@switchboard/messaging";
import { reserveReplySchema, type AuthenticatedKey } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import type { PricedCandidate } from "../../../services/ingress/src/generation/prepare-candidates.js";
import { reserveCredit } from "../../../services/ingress/src/generation/reserve-credit.js";
import type { ServiceClients } from "../../../services/ingress/src/plugins/service-clients.js";
import { findLedgerViolations, startBillingUnderTest, waitFor, type BillingUnderTest } from "../billing/billing-test-kit.js";
import { createFundedKey } from "../billing/funded-key.js";

// Issue 10: "a reservation whose reply was lost also stays held until expiry". Ingress reserves through a
// relay in front of the real billing that either drops billing's reply or delivers the request too late;
// ingress times out (503) and must void what billing reserved, or will reserve, at once.
describe("a reserve request whose reply ingress never gets", () => {
  const ingressTimeoutMs = 500;
  let harness: BillingUnderTest;
  let relayMode: "drop-reply" | "deliver-late" = "drop-reply";
  const lateReplies: Promise<unknown>[] = [];
  beforeAll(async () => {
    // Reservations are held 15 minutes: anything released within this test was released by the void.
    harness = await startBillingUnderTest({ reservationTtlSeconds: 900 });
    harness.connection.subscribe(relaySubject(), {
      callback: (_error, message) => {
        const forward = () => requestReply(harness.connection, harness.subjects.billingReserve, message.json(), reserveReplySchema, { timeoutMs: 5_000 });
        // Neither mode ever answers ingress: its reply is lost.
        if (relayMode === "drop-reply") lateReplies.push(forward().catch((error: unknown) => error));
        else lateReplies.push(new Promise((resolve) => setTimeout(resolve, 1_500)).then(forward).catch((error: unknown) => error));
      },
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  function relaySubject(): string {
    return `${harness.subjects.billingGroup}-relay.reserve`;
  }

  const ingressClients = (): Pick<ServiceClients, "request" | "subjects"> => ({
    subjects: { ...harness.subjects, billingReserve: relaySubject() },
    request: (subject, payload, schema, serviceLabel) => requestReply(harness.connection, subject, payload, schema, { timeoutMs: ingressTimeoutMs, serviceLabel }),
  });
  const candidates = [{ candidate: { endpointId: "openai/gpt-4o-mini@openai" }, maximumCostMicros: 4_000 }] as unknown as PricedCandidate[];
  const reservationOf = (generationId: string) => harness.database.selectFrom("reservations").selectAll().where("generation_id", "=", generationId).executeTakeFirst();

  it("releases a reservation billing made after ingress timed out at once, not at its expiry", async () => {
    relayMode = "drop-reply";
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const key = { accountId, keyId, keyHash: "hash", name: "key" } as AuthenticatedKey;
    const generationId = `gen-${crypto.randomUUID()}`;
    await expect(reserveCredit(ingressClients(), key, generationId, candidates)).rejects.toMatchObject({ error: { status: 503 } });
    await Promise.all(lateReplies.splice(0));
    await waitFor(async () => (await reservationOf(generationId))?.status === "voided", 5_000);
    expect(await reservationOf(generationId)).toMatchObject({ amount_micros: 4_000, status: "voided", charged_micros: null });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000, reserved_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("refuses a reserve that reaches billing after ingress voided the generation: it holds nothing", async () => {
    relayMode = "deliver-late";
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const key = { accountId, keyId, keyHash: "hash", name: "key" } as AuthenticatedKey;
    const generationId = `gen-${crypto.randomUUID()}`;
    await expect(reserveCredit(ingressClients(), key, generationId, candidates)).rejects.toMatchObject({ error: { status: 503 } });
    // The void came first and left a tombstone; the reserve arriving a second later is refused.
    await waitFor(async () => (await reservationOf(generationId))?.status === "voided", 5_000);
    const [late] = await Promise.all(lateReplies.splice(0));
    expect(late).toMatchObject({ error: { status: 400 } });
    expect(await reservationOf(generationId)).toMatchObject({ amount_micros: 0, status: "voided" });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000, reserved_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });
});
