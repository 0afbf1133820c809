/**
 * An account's recent spend on this replica, as holds per second over the last one to two seconds, and
 * its largest recent hold: what a credit lease is sized from. Two one-second buckets, so adding a hold
 * is a few arithmetic operations on the request path.
 */
export class SpendRate {
  private bucketStart = Number.NEGATIVE_INFINITY;
  private currentMicros = 0;
  private previousMicros = 0;
  private currentLargest = 0;
  private previousLargest = 0;
  lastHeldAt = Number.NEGATIVE_INFINITY;

  add(amountMicros: number, now: number): void {
    this.roll(now);
    this.currentMicros += amountMicros;
    this.currentLargest = Math.max(this.currentLargest, amountMicros);
    this.lastHeldAt = now;
  }

  /** Held per second over the current and the previous bucket. */
  microsPerSecond(now: number): number {
    this.roll(now);
    const elapsedMs = 1_000 + Math.min(now - this.bucketStart, 1_000);
    return ((this.previousMicros + this.currentMicros) * 1_000) / elapsedMs;
  }

  get largestHoldMicros(): number {
    return Math.max(this.currentLargest, this.previousLargest);
  }

  private roll(now: number): void {
    const elapsed = now - this.bucketStart;
    if (elapsed < 1_000) return;
    if (elapsed < 2_000) {
      this.previousMicros = this.currentMicros;
      this.previousLargest = this.currentLargest;
      this.bucketStart += 1_000;
    } else {
      this.previousMicros = 0;
      this.previousLargest = 0;
      this.bucketStart = now;
    }
    this.currentMicros = 0;
    this.currentLargest = 0;
  }
}
