import { describe, expect, it } from "vitest";
import { TurnsByKey } from "./turns-by-key.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("TurnsByKey", () => {
  it("runs work of one key one after another, in order, even when some fails, and other keys at once", async () => {
    const turns = new TurnsByKey({ maximumQueued: 100 });
    const events: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const work = (name: string, fail = false) => async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([turns.run("a", work("a1")), turns.run("a", work("a2", true)), turns.run("a", work("a3"))]);
    expect(results.map((result) => (result.status === "fulfilled" ? result.value : "failed"))).toEqual(["a1", "failed", "a3"]);
    expect(events).toEqual(["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]);
    expect(mostAtOnce).toBe(1);

    running = 0;
    mostAtOnce = 0;
    await Promise.all([turns.run("x", work("x")), turns.run("y", work("y"))]);
    expect(mostAtOnce).toBe(2);
  });

  it("refuses work beyond the bound with a retryable 503 at once, and takes new work once the queue drains", async () => {
    const turns = new TurnsByKey({ maximumQueued: 3 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: number[] = [];
    const queued = [1, 2, 3].map((index) => turns.run("k", async () => {
      await gate;
      ran.push(index);
    }));
    expect(turns.queuedFor("k")).toBe(3);
    await expect(turns.run("k", async () => ran.push(4))).rejects.toMatchObject({ error: { status: 503, retryable: true, code: "service_unavailable" } });
    // Another key is not affected by this key's queue.
    await expect(turns.run("other", async () => "other")).resolves.toBe("other");
    release();
    await Promise.all(queued);
    await tick();
    expect(turns.queuedFor("k")).toBe(0);
    await turns.run("k", async () => ran.push(5));
    expect(ran).toEqual([1, 2, 3, 5]);
  });

  it("skips work whose deadline passed while it waited, without running it, and runs the rest", async () => {
    let now = 1_000;
    const turns = new TurnsByKey({ maximumQueued: 100, now: () => now });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const first = turns.run("k", async () => {
      await gate;
      ran.push("first");
    });
    const late = turns.run("k", async () => ran.push("late"), { deadlineEpochMs: 1_500 });
    const patient = turns.run("k", async () => ran.push("patient"), { deadlineEpochMs: 5_000 });
    const noDeadline = turns.run("k", async () => ran.push("no deadline"));
    now = 2_000;
    release();
    await first;
    await expect(late).rejects.toMatchObject({ error: { status: 503, retryable: true } });
    await patient;
    await noDeadline;
    expect(ran).toEqual(["first", "patient", "no deadline"]);
  });
});
