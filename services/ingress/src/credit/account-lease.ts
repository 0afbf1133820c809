import type { LeaseHold } from "@switchboard/contracts";

/**
 * This replica's side of one credit lease: what billing granted, what the generations held against it
 * consumed (those that ended) and hold (those running). Only this process holds against it, so the
 * arithmetic is local and synchronous: the request path never waits for billing while the lease covers it.
 *
 * Once closed it takes no more holds; billing then keeps only what was expected to be consumed at the
 * close (`close()`), and each running generation then consumes its whole hold, so billing's count and
 * this one meet at zero whatever order the return and the facts arrive in.
 */
export class AccountLease {
  private consumedMicros = 0;
  private outstandingMicros = 0;
  private closedAt: number | null = null;
  private lastHeldAt: number;

  constructor(
    readonly id: string,
    readonly accountId: string,
    readonly grantedMicros: number,
    /** Monotonic time (performance.now()) after which a generation started on it might outlive it. */
    readonly usableUntil: number,
    /** Monotonic time after which a fresh lease should replace it, so that one is always usable. */
    readonly renewAfter: number,
    now: number,
  ) {
    this.lastHeldAt = now;
  }

  /** What is left to hold against: granted − consumed − held. Negative only after a cost above its hold. */
  get remainingMicros(): number {
    return this.grantedMicros - this.consumedMicros - this.outstandingMicros;
  }

  /** True while generations held against it are still running. */
  get busy(): boolean {
    return this.outstandingMicros > 0;
  }

  idleSince(): number {
    return this.lastHeldAt;
  }

  canHold(amountMicros: number, now: number): boolean {
    return this.closedAt === null && now < this.usableUntil && this.remainingMicros >= amountMicros;
  }

  hold(amountMicros: number, now: number): void {
    this.outstandingMicros += amountMicros;
    this.lastHeldAt = now;
  }

  /**
   * Ends a generation's hold: it consumes its cost while the lease is open (the rest of the hold is
   * free again), or its whole hold once the lease was closed (billing kept the hold for it at the close).
   */
  finish(holdMicros: number, costMicros: number): LeaseHold {
    this.outstandingMicros -= holdMicros;
    const consumedMicros = this.closedAt === null ? costMicros : Math.max(holdMicros, costMicros);
    this.consumedMicros += consumedMicros;
    return { leaseId: this.id, holdMicros, consumedMicros };
  }

  /** Closes it (once) and gives what billing keeps: the consumption of every generation, ended or running. */
  close(now: number): number {
    this.closedAt ??= now;
    return this.consumedMicros + this.outstandingMicros;
  }
}
