import { describe, expect, it } from "vitest";
import { TurnsByKey } from "./turns-by-key.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("TurnsByKey", () => {
  it("runs work of one key one after another, in order, even when some fails, and other keys at once", async () => {
    const turns = new TurnsByKey();
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
});
