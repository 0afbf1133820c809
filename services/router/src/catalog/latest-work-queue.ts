export interface LatestWorkQueueOptions<Work> {
  run: (work: Work) => Promise<void>;
  /** Folds newer work into work not started yet: the queue holds one item at most, however slow `run` is. */
  merge: (pending: Work, newer: Work) => Work;
  /** Told about every failed run, before it is tried again after `retryInMs`. */
  onFailure: (error: unknown, failures: number, retryInMs: number) => void;
  /** The first retry's delay, doubled after each further failure up to the maximum. */
  retryDelayMs?: { first: number; maximum: number };
}

const defaultRetryDelayMs = { first: 100, maximum: 5_000 };

/**
 * Runs work one item at a time, keeping only the newest pending item (merged with what it replaces): the
 * router's reconciliation of routing snapshots, where only the newest snapshot matters and a slow reload
 * must not pile up a queue. A run that fails is not dropped: its work is tried again with backoff (or at
 * once, with whatever newer work arrived), so a replica whose reload failed while the database was down
 * catches up by itself rather than waiting for a next snapshot that may never come.
 */
export class LatestWorkQueue<Work> {
  private pending: Work | undefined;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: LatestWorkQueueOptions<Work>) {}

  push(work: Work): void {
    if (this.stopped) return;
    this.pending = this.pending === undefined ? work : this.options.merge(this.pending, work);
    this.start();
  }

  /** Takes no more work, cancels a waiting retry and resolves once the run in progress (if any) ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.running;
  }

  private start(): void {
    if (this.running !== undefined || this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // Work pushed while the last run was finishing: nothing else would start it.
      if (this.pending !== undefined && this.retryTimer === undefined) this.start();
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.pending !== undefined) {
      const work = this.pending;
      this.pending = undefined;
      try {
        await this.options.run(work);
        this.failures = 0;
      } catch (error) {
        // Newer work that arrived during the failed run is tried at once (merged), like any new work.
        const newerArrived = this.pending !== undefined;
        this.pending = this.pending === undefined ? work : this.options.merge(work, this.pending);
        this.failures += 1;
        const { first, maximum } = this.options.retryDelayMs ?? defaultRetryDelayMs;
        const retryInMs = newerArrived ? 0 : Math.min(first * 2 ** (this.failures - 1), maximum);
        this.options.onFailure(error, this.failures, retryInMs);
        if (newerArrived) continue;
        if (this.stopped) return;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.start();
        }, retryInMs);
        this.retryTimer.unref();
        return;
      }
    }
  }
}
