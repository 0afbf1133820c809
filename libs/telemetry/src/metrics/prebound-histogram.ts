import type { Registry } from "prom-client";

/** One labelled series of a `PreboundHistogram`: a count per bucket (not cumulative), the sum and the count. */
export class PreboundHistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index++;
    const counts = this.counts;
    counts[index] = (counts[index] as number) + 1;
    this.sum += value;
    this.count += 1;
  }
}

interface HistogramValue {
  labels: Readonly<Record<string, string | number>>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram for the request path, for the reason `PreboundCounter` gives: each labelled
 * series is a child made once, and an observation is a scan of a dozen bounds and three additions. The
 * registry reads the children when scraped (`get()`): cumulative `_bucket` series with `le`, `_sum`, `_count`.
 */
export class PreboundHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly children: PreboundHistogramChild[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  /** The series of `values` (one per label name, in order); call once per combination and keep it. */
  child(values: readonly string[]): PreboundHistogramChild {
    const child = new PreboundHistogramChild(Object.fromEntries(this.labelNames.map((name, index) => [name, values[index] ?? ""])), this.bounds);
    this.children.push(child);
    return child;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: HistogramValue[] } {
    const values: HistogramValue[] = [];
    for (const child of this.children) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += child.counts[index] ?? 0;
        values.push({ labels: { ...child.labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...child.labels, le: "+Inf" }, value: child.count, metricName: `${this.name}_bucket` });
      values.push({ labels: child.labels, value: child.sum, metricName: `${this.name}_sum` });
      values.push({ labels: child.labels, value: child.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
