import { Counter, Gauge } from "prom-client";
import { metricNames } from "./metric-names.js";
import { PreboundHistogram, type PreboundHistogramChild } from "./prebound-histogram.js";
import { processMetricsRegistry } from "./process-metrics-registry.js";
import { sampleWithin } from "./sample-within.js";
import { subjectPattern } from "./subject-pattern.js";

/** Seconds: a request/reply hop takes ~0.3 ms on one machine; timeouts are seconds. */
const requestDurationBuckets = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** How long a scrape waits for one consumer's info before it answers with the last figure. */
const sampleTimeoutMs = 1_000;
/** Subjects whose child is kept; more (which would mean per-request subjects) are recorded without a cache. */
const maximumCachedSubjects = 256;

interface ConsumerSample {
  stream: string;
  consumer: string;
  pending: () => Promise<number>;
}

/**
 * The messaging library's series: NATS request latency by subject pattern, JetStream consumer lag
 * (pending messages, asked of the server when scraped) and dead-lettered facts by consumer and reason.
 */
export class MessagingMetrics {
  private readonly requestDuration: PreboundHistogram;
  /** By subject as requested; several subjects may share a pattern's child. */
  private readonly requestChildren = new Map<string, PreboundHistogramChild>();
  private readonly patternChildren = new Map<string, PreboundHistogramChild>();
  private readonly deadLetters: Counter<"consumer" | "reason">;
  private readonly consumers = new Map<string, ConsumerSample>();
  private readonly pending: Gauge<"stream" | "consumer">;

  constructor() {
    const registry = processMetricsRegistry();
    const registers = [registry];
    this.requestDuration = new PreboundHistogram(
      metricNames.natsRequestDuration,
      "Seconds a NATS request waited for its reply (or its failure), by subject pattern.",
      ["subject"],
      requestDurationBuckets,
      registry,
    );
    this.pending = new Gauge({
      name: metricNames.jetstreamConsumerPending,
      help: "Messages of a JetStream stream not yet delivered to a durable consumer of this process (its lag), asked of the server when scraped.",
      labelNames: ["stream", "consumer"] as const,
      registers,
      collect: async () => {
        await Promise.all(
          [...this.consumers.values()].map(async (sample) => {
            const count = await sampleWithin(sample.pending, sampleTimeoutMs);
            if (count !== undefined) this.pending.labels(sample.stream, sample.consumer).set(count);
          }),
        );
      },
    });
    this.deadLetters = new Counter({
      name: metricNames.deadLetters,
      help: "Facts a consumer moved to the dead-letter stream, by consumer and reason.",
      labelNames: ["consumer", "reason"] as const,
      registers,
    });
  }

  /** One NATS request to `subject` took `seconds`, answered or not. */
  recordRequest(subject: string, seconds: number): void {
    let child = this.requestChildren.get(subject);
    if (child === undefined) {
      const pattern = subjectPattern(subject);
      child = this.patternChildren.get(pattern);
      if (child === undefined) {
        child = this.requestDuration.child([pattern]);
        this.patternChildren.set(pattern, child);
      }
      if (this.requestChildren.size < maximumCachedSubjects) this.requestChildren.set(subject, child);
    }
    child.observe(seconds);
  }

  /** Reports the lag of durable `consumer` on `stream` at each scrape, until the returned function is called. */
  sampleConsumerPending(stream: string, consumer: string, pending: () => Promise<number>): () => void {
    const key = `${stream}\n${consumer}`;
    const sample = { stream, consumer, pending };
    this.consumers.set(key, sample);
    return () => {
      if (this.consumers.get(key) !== sample) return;
      this.consumers.delete(key);
      // A stopped consumer's last figure would otherwise read as a lag that never moves.
      this.pending.remove(stream, consumer);
    };
  }

  /** Shows `consumer`'s series for each reason from the start, at zero. */
  showDeadLetterReasons(consumer: string, reasons: readonly string[]): void {
    for (const reason of reasons) this.deadLetters.labels(consumer, reason).inc(0);
  }

  deadLettered(consumer: string, reason: string): void {
    this.deadLetters.labels(consumer, reason).inc();
  }
}

let instance: MessagingMetrics | undefined;

/** This process's messaging metrics, registered on first use. */
export function messagingMetrics(): MessagingMetrics {
  instance ??= new MessagingMetrics();
  return instance;
}
