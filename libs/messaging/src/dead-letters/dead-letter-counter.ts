import { messagingMetrics } from "@switchboard/telemetry";
import { deadLetterReasons, type DeadLetterReason } from "./dead-letter-reasons.js";

/**
 * How many facts each consumer of this service moved to the dead-letter stream since it started, by
 * reason: the metric issue 10 asks for. Each count also goes to the process's
 * `switchboard_dead_letters_total{consumer,reason}` on /metrics (issue 12); the counts here are this
 * service instance's own, for its log lines and tests.
 */
export class DeadLetterCounter {
  private readonly counts = new Map<string, Map<DeadLetterReason, number>>();

  /** `consumers` are shown from the start, with zero counts, so a scrape sees each series at once. */
  constructor(consumers: readonly string[] = []) {
    for (const consumer of consumers) {
      this.countsOf(consumer);
      messagingMetrics().showDeadLetterReasons(consumer, Object.values(deadLetterReasons));
    }
  }

  increment(consumer: string, reason: DeadLetterReason): void {
    const counts = this.countsOf(consumer);
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
    messagingMetrics().deadLettered(consumer, reason);
  }

  /** Everything one consumer dead-lettered, whatever the reason. */
  total(consumer: string): number {
    let total = 0;
    for (const count of this.counts.get(consumer)?.values() ?? []) total += count;
    return total;
  }

  /** Every consumer with its count per reason (zero included). */
  snapshot(): Record<string, Record<DeadLetterReason, number>> {
    const snapshot: Record<string, Record<DeadLetterReason, number>> = {};
    for (const [consumer, counts] of this.counts) {
      const byReason = {} as Record<DeadLetterReason, number>;
      for (const reason of Object.values(deadLetterReasons)) byReason[reason] = counts.get(reason) ?? 0;
      snapshot[consumer] = byReason;
    }
    return snapshot;
  }

  private countsOf(consumer: string): Map<DeadLetterReason, number> {
    let counts = this.counts.get(consumer);
    if (!counts) {
      counts = new Map();
      this.counts.set(consumer, counts);
    }
    return counts;
  }
}
