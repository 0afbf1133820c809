import { describe, expect, it } from "vitest";
import { LogScaleHistogram } from "./log-scale-histogram.js";

describe("LogScaleHistogram", () => {
  it("has no percentiles without values", () => {
    expect(LogScaleHistogram.percentilesOf([])).toBeNull();
    expect(LogScaleHistogram.percentilesOf([new LogScaleHistogram()])).toBeNull();
  });

  it.each([
    { name: "uniform 1..1000", values: Array.from({ length: 1_000 }, (_, index) => index + 1), expected: { p50: 500, p75: 750, p90: 900, p99: 990 } },
    { name: "one slow outlier in a hundred", values: [...Array.from({ length: 99 }, () => 200), 30_000], expected: { p50: 200, p75: 200, p90: 200, p99: 200 } },
    { name: "sub-millisecond values", values: [0.2, 0.4, 0.6, 0.8], expected: { p50: 0.4, p75: 0.6, p90: 0.8, p99: 0.8 } },
  ])("reads percentiles within 2 % over several histograms: $name", ({ values, expected }) => {
    // Split over three histograms, as minutes of a window are.
    const histograms = [new LogScaleHistogram(), new LogScaleHistogram(), new LogScaleHistogram()];
    values.forEach((value, index) => (histograms[index % 3] as LogScaleHistogram).add(value));
    const measured = LogScaleHistogram.percentilesOf(histograms);
    for (const [name, value] of Object.entries(expected)) {
      expect(Math.abs((measured?.[name as "p50"] as number) - value) / value, `${name} ${measured?.[name as "p50"]}`).toBeLessThan(0.02);
    }
  });

  it("keeps zero apart: a window of zeros has zero percentiles", () => {
    const histogram = new LogScaleHistogram();
    for (let index = 0; index < 10; index += 1) histogram.add(0);
    histogram.add(100);
    expect(LogScaleHistogram.percentilesOf([histogram])).toEqual({ p50: 0, p75: 0, p90: 0, p99: 100 });
  });
});
