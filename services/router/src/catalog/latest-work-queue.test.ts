import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { LatestWorkQueue } from "./latest-work-queue.js";

/** A queue of numbers whose merge keeps the newest; `runs` lists what each run got. */
function queueOf(run: (work: number) => Promise<void>, retryDelayMs = { first: 10, maximum: 40 }) {
  const runs: number[] = [];
  const failures: number[] = [];
  const queue = new LatestWorkQueue<number>({
    run: async (work) => {
      runs.push(work);
      await run(work);
    },
    merge: (_pending, newer) => newer,
    onFailure: (_error, failureCount, retryInMs) => failures.push(retryInMs),
    retryDelayMs,
  });
  return { queue, runs, failures };
}

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const since = Date.now();
  while (!check()) {
    if (Date.now() - since > timeoutMs) throw new Error("condition not met in time");
    await sleep(5);
  }
}

describe("LatestWorkQueue", () => {
  it("runs one item at a time and keeps only the newest pending one while a run is slow", async () => {
    let release: () => void = () => undefined;
    const { queue, runs } = queueOf((work) => (work === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()));
    queue.push(1);
    for (let work = 2; work <= 50; work++) queue.push(work);
    expect(runs).toEqual([1]);
    release();
    await until(() => runs.length === 2);
    await sleep(20);
    expect(runs).toEqual([1, 50]);
    await queue.stop();
  });

  it("tries failed work again with growing delays until it succeeds, then runs at once again", async () => {
    let failuresLeft = 3;
    const { queue, runs, failures } = queueOf(async () => {
      if (failuresLeft-- > 0) throw new Error("database down");
    });
    queue.push(7);
    await until(() => runs.length === 4);
    expect(runs).toEqual([7, 7, 7, 7]);
    expect(failures).toEqual([10, 20, 40]);
    queue.push(8);
    await until(() => runs.length === 5);
    expect(runs.at(-1)).toBe(8);
    await queue.stop();
  });

  it("retries the newest work when newer work arrived during a failed run, and does not wait for the backoff when work arrives", async () => {
    let fail = true;
    const { queue, runs } = queueOf(
      async () => {
        if (fail) throw new Error("database down");
      },
      { first: 60_000, maximum: 60_000 },
    );
    queue.push(1);
    await until(() => runs.length === 1);
    fail = false;
    queue.push(2);
    await until(() => runs.length === 2);
    expect(runs).toEqual([1, 2]);
    await queue.stop();
  });

  it("stop() waits for the run in progress and cancels the pending retry: nothing runs after it", async () => {
    let release: () => void = () => undefined;
    let finished = false;
    const { queue, runs } = queueOf(async (work) => {
      if (work === 1) {
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
        throw new Error("failed, would be retried");
      }
    });
    queue.push(1);
    queue.push(2);
    const stopped = queue.stop();
    let stopResolved = false;
    void stopped.then(() => (stopResolved = true));
    await sleep(20);
    expect(stopResolved).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(true);
    queue.push(3);
    await sleep(50);
    expect(runs).toEqual([1]);
  });
});
