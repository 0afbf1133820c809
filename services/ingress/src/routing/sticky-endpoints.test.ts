import { describe, expect, it } from "vitest";
import { StickyEndpoints } from "./sticky-endpoints.js";

describe("StickyEndpoints", () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (milliseconds: number) => (now += milliseconds) };
  };

  it("answers a conversation's endpoint until it has been idle for the TTL, then forgets it", () => {
    const time = clock();
    const sticky = new StickyEndpoints({ maximumEntries: 10, idleMs: 600_000, now: time.now });
    sticky.remember("conversation", "model@a");
    time.advance(599_999);
    expect(sticky.endpointFor("conversation")).toBe("model@a");
    time.advance(1);
    expect(sticky.endpointFor("conversation")).toBeUndefined();
    expect(sticky.size).toBe(0);
  });

  it("a success refreshes the idle time; a lookup alone does not", () => {
    const time = clock();
    const sticky = new StickyEndpoints({ maximumEntries: 10, idleMs: 600_000, now: time.now });
    sticky.remember("refreshed", "model@a");
    sticky.remember("only looked up", "model@a");
    time.advance(500_000);
    sticky.remember("refreshed", "model@a");
    expect(sticky.endpointFor("only looked up")).toBe("model@a");
    time.advance(500_000);
    expect(sticky.endpointFor("refreshed")).toBe("model@a");
    expect(sticky.endpointFor("only looked up")).toBeUndefined();
  });

  it("a later success on another endpoint moves the conversation there", () => {
    const sticky = new StickyEndpoints({ maximumEntries: 10, idleMs: 600_000, now: () => 0 });
    sticky.remember("conversation", "model@a");
    sticky.remember("conversation", "model@b");
    expect(sticky.endpointFor("conversation")).toBe("model@b");
    expect(sticky.size).toBe(1);
  });

  it("stays within its bound, forgetting the conversation used least recently", () => {
    const sticky = new StickyEndpoints({ maximumEntries: 3, idleMs: 600_000, now: () => 0 });
    for (const name of ["one", "two", "three"]) sticky.remember(name, `model@${name}`);
    expect(sticky.endpointFor("one")).toBe("model@one");
    for (let index = 0; index < 100; index += 1) sticky.remember(`burst ${index}`, "model@b");
    expect(sticky.size).toBe(3);
    expect(sticky.endpointFor("one")).toBeUndefined();
    expect(sticky.endpointFor("burst 99")).toBe("model@b");
  });

  it("defaults to OpenRouter's 10 minutes", () => {
    const sticky = new StickyEndpoints();
    sticky.remember("conversation", "model@a");
    expect(sticky.endpointFor("conversation")).toBe("model@a");
  });
});
