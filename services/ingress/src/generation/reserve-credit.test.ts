import { createSubjects, gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it, vi } from "vitest";
import type { PricedCandidate } from "./prepare-candidates.js";
import { reserveCredit } from "./reserve-credit.js";
import { routeCandidate } from "./route-candidate.test-support.js";

const key = { keyId: "key-1", keyHash: "0".repeat(64), accountId: "account-1", name: "laptop" };
const cheap = routeCandidate("m@cheap");
const middle = routeCandidate("m@middle");
const dear = routeCandidate("m@dear");
const priced: PricedCandidate[] = [
  { candidate: cheap, maximumCostMicros: 100 },
  { candidate: middle, maximumCostMicros: 100 },
  { candidate: dear, maximumCostMicros: 900 },
];

const insufficient = () => new SwitchboardError(gatewayError(gatewayErrorCodes.insufficientCredits, 402, "Insufficient credits"));

/** Billing that holds up to `available` micro-dollars and records every amount asked for. */
function billing(available: number, failure?: () => Error) {
  const asked: Array<{ subject: string; payload: unknown }> = [];
  const subjects = createSubjects("unit");
  const clients = {
    subjects,
    request: async (subject: string, payload: unknown) => {
      asked.push({ subject, payload });
      if (failure) throw failure();
      const { amountMicros } = payload as { amountMicros: number };
      if (amountMicros > available) throw insufficient();
      return { amountMicros };
    },
  } as unknown as Parameters<typeof reserveCredit>[0];
  return { asked, clients, subjects };
}

describe("reserveCredit", () => {
  it("holds against this replica's credit lease when it covers the amount, without asking billing", async () => {
    const { asked, clients } = billing(10_000);
    const ticket = { lease: {}, amountMicros: 900 };
    const held: Array<[string, number]> = [];
    const leases = {
      tryHold: (accountId: string, amountMicros: number) => {
        held.push([accountId, amountMicros]);
        return ticket;
      },
    } as unknown as Parameters<typeof reserveCredit>[4];
    expect(await reserveCredit(clients, key, "gen-1", priced, leases)).toEqual({ amountMicros: 900, candidates: [cheap, middle, dear], lease: ticket });
    expect(held).toEqual([["account-1", 900]]);
    expect(asked).toEqual([]);
  });

  it("reserves through billing when no lease covers the amount", async () => {
    const { asked, clients } = billing(10_000);
    const leases = { tryHold: () => null } as unknown as Parameters<typeof reserveCredit>[4];
    expect(await reserveCredit(clients, key, "gen-1", priced, leases)).toEqual({ amountMicros: 900, candidates: [cheap, middle, dear] });
    expect(asked).toHaveLength(1);
  });

  it("reserves a limited key's generation through billing, saying the key is limited, and never holds it against a lease", async () => {
    const { asked, clients, subjects } = billing(10_000);
    let leaseAsked = false;
    const leases = {
      tryHold: () => {
        leaseAsked = true;
        return { lease: {}, amountMicros: 900 };
      },
    } as unknown as Parameters<typeof reserveCredit>[4];
    const limitedKey = { ...key, spendingLimited: true };
    expect(await reserveCredit(clients, limitedKey, "gen-1", priced, leases)).toEqual({ amountMicros: 900, candidates: [cheap, middle, dear] });
    expect(leaseAsked).toBe(false);
    expect(asked).toEqual([
      { subject: subjects.billingReserve, payload: { generationId: "gen-1", accountId: "account-1", keyId: "key-1", amountMicros: 900, keyLimited: true } },
    ]);
  });

  it("holds enough for the priciest candidate when the account has it, so every fallback is covered", async () => {
    const { asked, clients, subjects } = billing(10_000);
    expect(await reserveCredit(clients, key, "gen-1", priced)).toEqual({ amountMicros: 900, candidates: [cheap, middle, dear] });
    expect(asked).toEqual([{ subject: subjects.billingReserve, payload: { generationId: "gen-1", accountId: "account-1", keyId: "key-1", amountMicros: 900 } }]);
  });

  it("falls back to holding the first candidate's bound, keeping only fallbacks no pricier", async () => {
    const { asked, clients } = billing(500);
    expect(await reserveCredit(clients, key, "gen-1", priced)).toEqual({ amountMicros: 100, candidates: [cheap, middle] });
    expect(asked.map((question) => (question.payload as { amountMicros: number }).amountMicros)).toEqual([900, 100]);
  });

  it("refuses with the 402 when even the first candidate is not covered", async () => {
    const { clients } = billing(50);
    await expect(reserveCredit(clients, key, "gen-1", priced)).rejects.toMatchObject({ error: { status: 402 } });
  });

  it("asks once when the first candidate is already the priciest", async () => {
    const { asked, clients } = billing(50);
    await expect(reserveCredit(clients, key, "gen-1", [{ candidate: dear, maximumCostMicros: 900 }, priced[0]!])).rejects.toMatchObject({ error: { status: 402 } });
    expect(asked).toHaveLength(1);
  });

  it("passes any other failure (billing down) on at once, and asks billing to void what it may have reserved, twice more if need be", async () => {
    vi.useFakeTimers();
    try {
      const down = () => new SwitchboardError(gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "billing down", { retryable: true }));
      const { asked, clients, subjects } = billing(10_000, down);
      await expect(reserveCredit(clients, key, "gen-1", priced)).rejects.toMatchObject({ error: { status: 503 } });
      expect(asked.map((request) => request.subject)).toEqual([subjects.billingReserve, subjects.billingVoidReservation]);
      expect(asked[1]?.payload).toEqual({ generationId: "gen-1", accountId: key.accountId, keyId: key.keyId });
      await vi.advanceTimersByTimeAsync(2_000);
      expect(asked.map((request) => request.subject)).toEqual([subjects.billingReserve, ...Array(3).fill(subjects.billingVoidReservation)]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends billing its deadline: now plus this replica's request timeout, after which nobody reads the answer", async () => {
    const { asked, clients } = billing(10_000);
    const before = Date.now();
    await reserveCredit({ ...clients, requestTimeoutMs: 5_000 }, key, "gen-1", priced);
    const deadline = (asked[0]?.payload as { deadlineEpochMs: number }).deadlineEpochMs;
    expect(deadline).toBeGreaterThanOrEqual(before + 5_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 5_000);
  });
});
