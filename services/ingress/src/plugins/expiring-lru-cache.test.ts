import { describe, expect, it } from "vitest";
import { ExpiringLruCache } from "./expiring-lru-cache.js";

describe("ExpiringLruCache", () => {
  it("answers an entry until it expires, then forgets it", () => {
    const cache = new ExpiringLruCache<string>(10);
    cache.set("a", "A", 1_000);
    expect(cache.get("a", 999)).toBe("A");
    expect(cache.get("a", 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("when full, drops the entry used least recently, not everything", () => {
    const cache = new ExpiringLruCache<string>(3);
    cache.set("a", "A", 10_000);
    cache.set("b", "B", 10_000);
    cache.set("c", "C", 10_000);
    // Using "a" makes "b" the least recently used.
    expect(cache.get("a", 0)).toBe("A");
    cache.set("d", "D", 10_000);
    expect(cache.size).toBe(3);
    expect(cache.get("b", 0)).toBeUndefined();
    expect([cache.get("a", 0), cache.get("c", 0), cache.get("d", 0)]).toEqual(["A", "C", "D"]);
  });

  it("replacing an entry does not push another one out", () => {
    const cache = new ExpiringLruCache<string>(2);
    cache.set("a", "A", 10_000);
    cache.set("b", "B", 10_000);
    cache.set("a", "A2", 10_000);
    expect([cache.get("a", 0), cache.get("b", 0)]).toEqual(["A2", "B"]);
  });

  it("deletes one entry or all of them", () => {
    const cache = new ExpiringLruCache<string>(5);
    cache.set("a", "A", 10_000);
    cache.set("b", "B", 10_000);
    cache.delete("a");
    expect(cache.get("a", 0)).toBeUndefined();
    expect(cache.get("b", 0)).toBe("B");
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it("refuses a bound that could hold nothing", () => {
    expect(() => new ExpiringLruCache(0)).toThrow(RangeError);
  });
});
