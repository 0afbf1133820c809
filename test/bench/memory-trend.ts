/** One reading of a process's memory during the soak. */
export interface MemorySample {
  /** Seconds since the traffic started. */
  atSeconds: number;
  rssMiB: number;
  /** Anonymous resident memory (V8's heap and malloc for a Node.js process), MiB. */
  anonymousMiB: number;
  /** Proportional set (shared pages divided among their sharers), MiB. */
  pssMiB: number;
  /** CPU time used since the process started, milliseconds (to tell what a change of heap settings costs). */
  cpuMs: number;
}

/** How one process's memory moved over the counted part of the soak, and whether it keeps rising. */
export interface MemoryTrend {
  /** Resident set at the first sample after the warm-up, MiB. */
  startRssMiB: number;
  /** At the last sample, MiB. */
  endRssMiB: number;
  /** The largest of the counted samples, MiB. */
  maxRssMiB: number;
  /** Least-squares slope of the resident set over the second half of the counted samples, MiB per minute. */
  rssSlopeMiBPerMinute: number;
  startAnonymousMiB: number;
  endAnonymousMiB: number;
  /** The same slope for anonymous memory, which shows whether a rise is the heap's. */
  anonymousSlopeMiBPerMinute: number;
  /** The same slope for the proportional set. */
  pssSlopeMiBPerMinute: number;
  /** Which slope the verdict is taken from. */
  judgedBy: "rss" | "pss";
  /** "grows" when that slope is above the limit. */
  verdict: "no growth" | "grows";
}

export interface MemoryTrendOptions {
  warmUpSeconds: number;
  growthLimitMiBPerMinute: number;
  /**
   * `rss` for a single process. `pss` for a tree whose members come and go and share memory, such as
   * PostgreSQL: each backend's resident set counts every shared buffer it has touched, so the tree's sum
   * jumps by tens of MiB whenever a pool opens or closes a connection, while the proportional set counts
   * a shared page once.
   */
  judgedBy: "rss" | "pss";
}

/** Least-squares slope of `value` over `atSeconds`, per minute; 0 for fewer than two points. */
function slopePerMinute(samples: readonly MemorySample[], value: (sample: MemorySample) => number): number {
  if (samples.length < 2) return 0;
  const meanTime = samples.reduce((total, sample) => total + sample.atSeconds, 0) / samples.length;
  const meanValue = samples.reduce((total, sample) => total + value(sample), 0) / samples.length;
  let covariance = 0;
  let variance = 0;
  for (const sample of samples) {
    covariance += (sample.atSeconds - meanTime) * (value(sample) - meanValue);
    variance += (sample.atSeconds - meanTime) ** 2;
  }
  return variance === 0 ? 0 : (covariance / variance) * 60;
}

/**
 * The trend of the samples taken after the warm-up. The slope is fitted over their second half only: the
 * first half still holds the heap settling into its working size (V8 grows its old generation until the
 * first full collections), which is not growth that goes on.
 */
export function memoryTrend(samples: readonly MemorySample[], options: MemoryTrendOptions): MemoryTrend {
  const counted = samples.filter((sample) => sample.atSeconds >= options.warmUpSeconds);
  const first = counted[0];
  const last = counted.at(-1);
  if (first === undefined || last === undefined) throw new Error("no memory sample after the warm-up");
  const secondHalf = counted.slice(Math.floor(counted.length / 2));
  const rssSlopeMiBPerMinute = slopePerMinute(secondHalf, (sample) => sample.rssMiB);
  const pssSlopeMiBPerMinute = slopePerMinute(secondHalf, (sample) => sample.pssMiB);
  const judgedSlope = options.judgedBy === "rss" ? rssSlopeMiBPerMinute : pssSlopeMiBPerMinute;
  return {
    startRssMiB: first.rssMiB,
    endRssMiB: last.rssMiB,
    maxRssMiB: Math.max(...counted.map((sample) => sample.rssMiB)),
    rssSlopeMiBPerMinute,
    startAnonymousMiB: first.anonymousMiB,
    endAnonymousMiB: last.anonymousMiB,
    anonymousSlopeMiBPerMinute: slopePerMinute(secondHalf, (sample) => sample.anonymousMiB),
    pssSlopeMiBPerMinute,
    judgedBy: options.judgedBy,
    verdict: judgedSlope > options.growthLimitMiBPerMinute ? "grows" : "no growth",
  };
}
