import { performancePercentileNames, type PerformancePercentiles } from "@switchboard/contracts";

/** Neighbouring bins differ by 4 %: a percentile read from the bins is within 2 % of the true value. */
const binRatio = 1.04;
const logOfRatio = Math.log(binRatio);

/**
 * Counts of values in bins of a fixed relative width (a log-scale histogram), so a window of any traffic
 * keeps percentiles in bounded memory: a few hundred bins at most between a hundredth of a millisecond and
 * hours, and in practice a handful, since one endpoint's latencies cluster. Zero has a bin of its own.
 */
export class LogScaleHistogram {
  private readonly counts = new Map<number, number>();

  add(value: number): void {
    const bin = value <= 0 ? Number.NEGATIVE_INFINITY : Math.floor(Math.log(value) / logOfRatio);
    this.counts.set(bin, (this.counts.get(bin) ?? 0) + 1);
  }

  /**
   * p50, p75, p90 and p99 of the values of all `histograms` together (nearest rank), each the geometric
   * middle of its bin and given to three significant digits (the bins are no finer); null without values.
   */
  static percentilesOf(histograms: Iterable<LogScaleHistogram>): PerformancePercentiles | null {
    const merged = new Map<number, number>();
    let total = 0;
    for (const histogram of histograms) {
      for (const [bin, count] of histogram.counts) {
        merged.set(bin, (merged.get(bin) ?? 0) + count);
        total += count;
      }
    }
    if (total === 0) return null;
    const bins = [...merged.entries()].sort(([left], [right]) => left - right);
    const percentiles = { p50: 0, p75: 0, p90: 0, p99: 0 };
    let index = 0;
    let seen = 0;
    for (const name of performancePercentileNames) {
      const rank = Math.ceil((Number(name.slice(1)) / 100) * total);
      while (seen + (bins[index] as [number, number])[1] < rank) seen += (bins[index++] as [number, number])[1];
      const bin = (bins[index] as [number, number])[0];
      percentiles[name] = bin === Number.NEGATIVE_INFINITY ? 0 : Number((binRatio ** (bin + 0.5)).toPrecision(3));
    }
    return percentiles;
  }
}
