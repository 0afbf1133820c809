import { describe, expect, it } from "vitest";
import { memoryTrend, type MemorySample } from "./memory-trend.js";

/** A sample every 5 s from 0 to `seconds`, resident set `rssMiB(t)`, anonymous memory half of it, proportional set 40 MiB less. */
function samples(seconds: number, rssMiB: (atSeconds: number) => number): MemorySample[] {
  return Array.from({ length: seconds / 5 + 1 }, (_, index) => {
    const rss = rssMiB(index * 5);
    return { atSeconds: index * 5, rssMiB: rss, anonymousMiB: rss / 2, pssMiB: rss - 40, cpuMs: index * 100 };
  });
}

const options = { warmUpSeconds: 60, growthLimitMiBPerMinute: 1, judgedBy: "rss" } as const;

describe("memoryTrend", () => {
  it("starts after the warm-up and fits the slope over the second half only", () => {
    // Settling from 100 to 130 MiB until 5 minutes in, flat after: no growth, though end > start.
    const trend = memoryTrend(samples(600, (at) => (at < 300 ? 100 + at / 10 : 130)), options);
    expect(trend).toMatchObject({ startRssMiB: 106, endRssMiB: 130, maxRssMiB: 130, startAnonymousMiB: 53, endAnonymousMiB: 65, verdict: "no growth" });
    expect(trend.rssSlopeMiBPerMinute).toBeCloseTo(0, 6);
  });

  it("reports a steady rise as MiB per minute and calls it growth above the limit", () => {
    const trend = memoryTrend(samples(600, (at) => 100 + (2 * at) / 60), options);
    expect(trend.rssSlopeMiBPerMinute).toBeCloseTo(2, 6);
    expect(trend.anonymousSlopeMiBPerMinute).toBeCloseTo(1, 6);
    expect(trend.verdict).toBe("grows");
  });

  it("does not call a sawtooth growth: a heap collected every minute", () => {
    const trend = memoryTrend(samples(600, (at) => 120 + (at % 60) / 6), options);
    expect(Math.abs(trend.rssSlopeMiBPerMinute)).toBeLessThan(1);
    expect(trend.verdict).toBe("no growth");
  });

  it("judges a tree whose members come and go by its proportional set", () => {
    // A backend of 30 MiB resident (shared buffers it touched) comes and goes every 20 s; its own share is 1 MiB.
    const tree = samples(600, (at) => 300 + (at % 40 < 20 ? 30 : 0)).map((sample) => ({ ...sample, pssMiB: 70 + sample.atSeconds / 600 }));
    const trend = memoryTrend(tree, { ...options, judgedBy: "pss" });
    expect(trend.pssSlopeMiBPerMinute).toBeCloseTo(0.1, 6);
    expect(trend).toMatchObject({ judgedBy: "pss", verdict: "no growth" });
  });

  it("refuses samples that all fall in the warm-up", () => {
    expect(() => memoryTrend(samples(55, () => 100), options)).toThrow("no memory sample after the warm-up");
  });
});
