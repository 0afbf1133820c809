/**
 * Pre-bound metric children per label values, found through nested maps keyed by the values themselves:
 * recording on the request path looks up the child without building a key string or a labels object (what
 * prom-client's `labels()` does on each call). Only for labels of bounded cardinality (catalog models and
 * providers, route patterns, status codes): an entry is kept for every combination seen.
 */
export class LabelledChildren<Child> {
  private readonly root = new Map<string | number, unknown>();

  /** `create` makes the child of one combination of label values, once. */
  constructor(private readonly create: (values: readonly string[]) => Child) {}

  /** The child of one label value. */
  of1(first: string | number): Child {
    let child = this.root.get(first) as Child | undefined;
    if (child === undefined) {
      child = this.create([String(first)]);
      this.root.set(first, child);
    }
    return child;
  }

  /** The child of two label values. */
  of2(first: string | number, second: string | number): Child {
    const level = this.level(this.root, first);
    let child = level.get(second) as Child | undefined;
    if (child === undefined) {
      child = this.create([String(first), String(second)]);
      level.set(second, child);
    }
    return child;
  }

  /** The child of three label values. */
  of3(first: string | number, second: string | number, third: string | number): Child {
    const level = this.level(this.level(this.root, first), second);
    let child = level.get(third) as Child | undefined;
    if (child === undefined) {
      child = this.create([String(first), String(second), String(third)]);
      level.set(third, child);
    }
    return child;
  }

  private level(parent: Map<string | number, unknown>, key: string | number): Map<string | number, unknown> {
    let level = parent.get(key) as Map<string | number, unknown> | undefined;
    if (level === undefined) {
      level = new Map();
      parent.set(key, level);
    }
    return level;
  }
}
