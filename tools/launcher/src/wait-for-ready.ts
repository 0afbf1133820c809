import { setTimeout as sleep } from "node:timers/promises";

/** Polls `isReady` until it answers true; rejects after `timeoutMs` with `describeTimeout()`. */
export async function waitForReady(isReady: () => Promise<boolean>, options: { timeoutMs: number; intervalMs?: number; describeTimeout: () => string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await isReady())) {
    if (Date.now() >= deadline) throw new Error(options.describeTimeout());
    await sleep(options.intervalMs ?? 200);
  }
}
