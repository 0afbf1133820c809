import { describe, expect, it } from "vitest";
import { AccountLease } from "./account-lease.js";

const lease = () => new AccountLease("00000000-0000-4000-8000-000000000001", "account", 1_000, 10_000, 5_000, 0);

describe("AccountLease", () => {
  it("holds while what is left covers the amount, and frees the unused part of a hold when it ends", () => {
    const credit = lease();
    expect(credit.canHold(600, 1)).toBe(true);
    credit.hold(600, 1);
    expect(credit.canHold(600, 2)).toBe(false);
    expect(credit.finish(600, 100)).toEqual({ leaseId: credit.id, holdMicros: 600, consumedMicros: 100 });
    expect(credit.remainingMicros).toBe(900);
    expect(credit.canHold(600, 3)).toBe(true);
  });

  it("takes no hold once past its usable time", () => {
    expect(lease().canHold(1, 10_000)).toBe(false);
  });

  it("once closed, takes no hold and its running generations consume their whole hold, as billing kept it", () => {
    const credit = lease();
    credit.hold(300, 1);
    credit.hold(200, 1);
    credit.finish(200, 50);
    // Billing keeps the ended generation's 50 and the running one's hold of 300.
    expect(credit.close(2)).toBe(350);
    expect(credit.canHold(1, 3)).toBe(false);
    expect(credit.finish(300, 120)).toEqual({ leaseId: credit.id, holdMicros: 300, consumedMicros: 300 });
    expect(credit.busy).toBe(false);
  });
});
