import { describe, expect, it } from "vitest";
import { SpendRate } from "./spend-rate.js";

describe("SpendRate", () => {
  it("measures holds per second over the last one to two seconds and remembers the largest recent hold", () => {
    const rate = new SpendRate();
    for (let millisecond = 0; millisecond < 2_000; millisecond += 10) rate.add(100, millisecond);
    // 100 µ$ every 10 ms: 10,000 µ$ per second.
    expect(rate.microsPerSecond(2_000)).toBeCloseTo(10_000, -2);
    rate.add(5_000, 2_001);
    expect(rate.largestHoldMicros).toBe(5_000);
  });

  it("forgets spend older than two seconds", () => {
    const rate = new SpendRate();
    rate.add(1_000, 0);
    expect(rate.microsPerSecond(5_000)).toBe(0);
    expect(rate.largestHoldMicros).toBe(0);
  });
});
