import { setTimeout as sleep } from "node:timers/promises";
import type { DatabaseExecutor } from "./repositories/database-executor.js";
import { hasActiveLease } from "./repositories/credit-leases.js";

export interface LeaseRecallerOptions {
  database: DatabaseExecutor;
  /** Asks every ingress to close its leases on the account (a core NATS publish). */
  publishRecall: (accountId: string) => void;
  /**
   * Longest a recall waits for the holders to return their leases (default 1 s). Holders answer within
   * milliseconds when idle, but a replica busy with a burst (the very moment an account runs dry) can
   * take hundreds; a 402 given before its slice is back would refuse a request the balance covers. The
   * wait ends as soon as no lease of the account is active, and only accounts near empty ever wait.
   */
  windowMs?: number;
  /** Pause between looks at whether any lease of the account is still active. */
  pollMs?: number;
}

/**
 * Recalls an account's credit leases and waits, up to a short window, until none is active any more.
 * Concurrent reservations short on the same account share one recall and one wait: near empty, hundreds
 * of requests can fall short at once, and each polling PostgreSQL on its own would swamp billing.
 */
export class LeaseRecaller {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly options: LeaseRecallerOptions) {}

  recall(accountId: string): Promise<void> {
    let recalling = this.inFlight.get(accountId);
    if (!recalling) {
      recalling = this.recallAndWait(accountId).finally(() => this.inFlight.delete(accountId));
      this.inFlight.set(accountId, recalling);
    }
    return recalling;
  }

  private async recallAndWait(accountId: string): Promise<void> {
    const windowMs = this.options.windowMs ?? 1_000;
    const pollMs = this.options.pollMs ?? 10;
    const deadline = performance.now() + windowMs;
    this.options.publishRecall(accountId);
    // A return closes its lease and releases its credit in one statement: once none is active,
    // everything recalled is back.
    while (performance.now() < deadline) {
      await sleep(pollMs);
      if (!(await hasActiveLease(this.options.database, accountId))) return;
    }
  }
}
