import { keySpendingSchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { presentKeySpending } from "./present-key-spending.js";

const usage = { totalMicros: 9_000_000, dailyMicros: 250_000, weeklyMicros: 1_500_000, monthlyMicros: 4_000_001 };

describe("presentKeySpending", () => {
  it("shows no limit as null limit and limit_remaining", () => {
    const spending = presentKeySpending({ limit_micros: null, limit_reset: null }, usage);
    expect(spending).toMatchObject({ limit: null, limit_remaining: null, limit_reset: null, usage: 9, usage_daily: 0.25, usage_weekly: 1.5, usage_monthly: 4.000001 });
    expect(keySpendingSchema.parse(spending)).toEqual(spending);
  });

  it.each([
    ["daily", 10_000_000, 9.75],
    ["weekly", 10_000_000, 8.5],
    ["monthly", 10_000_000, 5.999999],
    [null, 10_000_000, 1],
  ] as const)("subtracts the usage of the %s period from the limit", (limitReset, limitMicros, remaining) => {
    const spending = presentKeySpending({ limit_micros: limitMicros, limit_reset: limitReset }, usage);
    expect(spending).toMatchObject({ limit: 10, limit_remaining: remaining, limit_reset: limitReset });
    expect(keySpendingSchema.parse(spending)).toEqual(spending);
  });

  it("never shows less than 0 remaining, and shows a zero limit as 0", () => {
    expect(presentKeySpending({ limit_micros: 1_000_000, limit_reset: null }, usage)).toMatchObject({ limit: 1, limit_remaining: 0 });
    expect(presentKeySpending({ limit_micros: 0, limit_reset: "daily" }, usage)).toMatchObject({ limit: 0, limit_remaining: 0, limit_reset: "daily" });
  });
});
