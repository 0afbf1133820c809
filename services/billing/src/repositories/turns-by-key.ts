import { gatewayError, gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";

export interface TurnsByKeyOptions {
  /**
   * Most pieces of work of one key waiting or running at once; beyond it `run` refuses at once with a
   * retryable 503. A burst longer than this would wait longer than any requester does.
   */
  maximumQueued: number;
  /** Epoch milliseconds now, replaceable in tests. */
  now?: () => number;
}

/** When the requester stops waiting: work whose turn comes after it is skipped. */
export interface TurnOptions {
  deadlineEpochMs?: number | undefined;
}

/**
 * Runs work for the same key one after another, in this process; work for different keys runs at once.
 * A burst of reservations for one limited key would otherwise take one pooled connection each, all but one
 * waiting on the key's row lock, and starve every other account's reservations and settlements of
 * connections. PostgreSQL's lock still orders them across billing replicas; this only keeps the wait in
 * memory.
 *
 * The queue is bounded and honours deadlines: work whose requester gave up before its turn came would
 * otherwise still run, and a reservation made then is held until it expires (minutes) with nobody to
 * settle it, refusing the key's later requests for credit that nothing uses.
 */
export class TurnsByKey {
  private readonly last = new Map<string, Promise<unknown>>();
  private readonly queued = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: TurnsByKeyOptions) {
    this.now = options.now ?? Date.now;
  }

  run<Result>(key: string, work: () => Promise<Result>, turnOptions: TurnOptions = {}): Promise<Result> {
    const waiting = this.queued.get(key) ?? 0;
    if (waiting >= this.options.maximumQueued) return Promise.reject(tooManyQueued(this.options.maximumQueued));
    this.queued.set(key, waiting + 1);
    const { deadlineEpochMs } = turnOptions;
    const guarded = () => {
      // Nobody reads this answer: the requester timed out. Nothing is done for it.
      if (deadlineEpochMs !== undefined && this.now() > deadlineEpochMs) return Promise.reject(deadlinePassed());
      return work();
    };
    const previous = this.last.get(key) ?? Promise.resolve();
    const turn = previous.then(guarded, guarded);
    // What the next caller waits for: this turn's end, whatever its outcome.
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.last.set(key, settled);
    void settled.then(() => {
      const left = (this.queued.get(key) ?? 1) - 1;
      if (left > 0) this.queued.set(key, left);
      else this.queued.delete(key);
      if (this.last.get(key) === settled) this.last.delete(key);
    });
    return turn;
  }

  /** How many pieces of work of `key` are waiting or running (for tests and metrics). */
  queuedFor(key: string): number {
    return this.queued.get(key) ?? 0;
  }
}

function tooManyQueued(maximumQueued: number): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.serviceUnavailable, 503, `Too many requests of this key are waiting for their credit check (more than ${maximumQueued}). Retry shortly.`, {
      retryable: true,
    }),
  );
}

function deadlinePassed(): SwitchboardError {
  return new SwitchboardError(
    gatewayError(gatewayErrorCodes.serviceUnavailable, 503, "The request's deadline passed while it waited for its credit check.", { retryable: true }),
  );
}
