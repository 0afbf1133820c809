import type { Registry } from "prom-client";

/** One labelled series of a `PreboundCounter`: a plain number, incremented in place. */
export class PreboundCounterChild {
  value = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(amount = 1): void {
    this.value += amount;
  }
}

/**
 * A Prometheus counter for the request path. prom-client's own `labels(...).inc()` hashes and validates
 * the label values on every call (about a microsecond each on this machine); here each labelled series is
 * a child made once and an increment is one addition. The registry reads the children when scraped, through
 * the `get()` prom-client's registry calls on every metric it holds.
 */
export class PreboundCounter {
  readonly type = "counter";
  readonly aggregator = "sum";
  private readonly children: PreboundCounterChild[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  /** The series of `values` (one per label name, in order); call once per combination and keep it. */
  child(values: readonly string[]): PreboundCounterChild {
    const child = new PreboundCounterChild(Object.fromEntries(this.labelNames.map((name, index) => [name, values[index] ?? ""])));
    this.children.push(child);
    return child;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Readonly<Record<string, string>>; value: number }> } {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.children.map((child) => ({ labels: child.labels, value: child.value })) };
  }
}
