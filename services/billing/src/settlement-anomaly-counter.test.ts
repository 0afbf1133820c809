import { describe, expect, it } from "vitest";
import { SettlementAnomalyCounter } from "./settlement-anomaly-counter.js";

describe("SettlementAnomalyCounter", () => {
  it("counts per reason and shows every reason from the start", () => {
    const counter = new SettlementAnomalyCounter();
    expect(counter.snapshot()).toEqual({
      "no-hold": 0,
      "lease-not-found": 0,
      "account-mismatch": 0,
      "key-mismatch": 0,
      "exceeds-lease": 0,
      "lease-holder-mismatch": 0,
      "conflicting-usage": 0,
    });
    counter.increment("no-hold");
    counter.increment("no-hold");
    counter.increment("key-mismatch");
    expect(counter.snapshot()).toMatchObject({ "no-hold": 2, "key-mismatch": 1, "account-mismatch": 0 });
  });
});
