/**
 * A map bounded in entries whose entries also expire. When full, the entry used least recently goes
 * first, so a burst of new keys pushes out idle ones rather than emptying the whole cache (which would
 * send every busy key back to billing at once). A Map keeps insertion order, so moving an entry to
 * the end on every hit makes its first entry the least recently used one.
 */
export class ExpiringLruCache<Value> {
  private readonly entries = new Map<string, { value: Value; expiresAt: number }>();

  constructor(private readonly maximumEntries: number) {
    if (!Number.isInteger(maximumEntries) || maximumEntries < 1) throw new RangeError(`maximumEntries must be a positive integer, got ${maximumEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value if present and not expired at `now`; an expired entry is removed. */
  get(key: string, now: number): Value | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: Value, expiresAt: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maximumEntries) {
      const leastRecentlyUsed = this.entries.keys().next();
      if (!leastRecentlyUsed.done) this.entries.delete(leastRecentlyUsed.value);
    }
    this.entries.set(key, { value, expiresAt });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
