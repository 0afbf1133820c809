import type { ConnectorUsageReport, StoredFacts } from "@switchboard/contracts";
import type { UsageReporter } from "./usage-reporter.js";

/** How long a report may wait for its ingress to vouch for the fact before it is published anyway. */
export const maximumUsageReportHoldMs = 30_000;

interface HeldReport {
  readonly report: ConnectorUsageReport;
  readonly heldAt: number;
}

export interface HeldUsageReportsOptions {
  /** Where reports go when they must be published: JetStream (`jetStreamUsageReporter`). */
  publisher: UsageReporter;
  /** How long an ingress replica may be silent before its held reports are published (`INGRESS_SILENCE_MS`). */
  silenceMs: number;
  /** When the replica was last heard from, on the `now` clock (IngressLiveness). */
  lastHeardAt: (ingressId: string) => number | undefined;
  maximumHoldMs?: number;
  checkIntervalMs?: number;
  now?: () => number;
}

/**
 * The connector's usage reports, held in memory until their ingress replica says the generation's
 * completion fact is stored (issue 10). Nearly every generation's fact is stored within milliseconds of
 * its answer, and its report then only repeats it: publishing every report cost a JetStream write and a
 * row in billing and in metadata-logging per generation, for the rare one whose ingress died between
 * answering and storing its fact. Held instead, a report is dropped once a heartbeat vouches for the fact
 * (`StoredFacts`), and published, as before, when the replica goes silent (it died), when the report has
 * waited `maximumHoldMs`, when the report says the replica was silent, when the generate request named no
 * fact number (an older ingress), and at shutdown. A connector killed while holding reports loses them:
 * money is lost only if its ingress also failed to store the facts, two failures at once.
 */
export class HeldUsageReports implements UsageReporter {
  readonly #held = new Map<string, Map<number, HeldReport>>();
  readonly #options: HeldUsageReportsOptions;
  readonly #now: () => number;
  readonly #maximumHoldMs: number;
  readonly #timer: NodeJS.Timeout;
  /** Set at shutdown (`pending`): from then on every report is published at once. */
  #flushed = false;

  constructor(options: HeldUsageReportsOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#maximumHoldMs = options.maximumHoldMs ?? maximumUsageReportHoldMs;
    this.#timer = setInterval(() => this.check(), options.checkIntervalMs ?? Math.max(50, Math.min(1_000, Math.floor(options.silenceMs / 4))));
    this.#timer.unref();
  }

  report(report: ConnectorUsageReport): void {
    const sequence = report.origin.factSequence;
    if (sequence === undefined || report.ingressSilent || this.#flushed) {
      this.#options.publisher.report(report);
      return;
    }
    let ofReplica = this.#held.get(report.origin.ingressId);
    if (!ofReplica) this.#held.set(report.origin.ingressId, (ofReplica = new Map()));
    const earlier = ofReplica.get(sequence);
    // Two attempts of one generation that both produced output: both reports are kept.
    if (earlier) this.#options.publisher.report(earlier.report);
    ofReplica.set(sequence, { report, heldAt: this.#now() });
  }

  /** A heartbeat of `ingressId` said which facts are stored: their reports are not needed. */
  vouched(ingressId: string, facts: StoredFacts): void {
    const ofReplica = this.#held.get(ingressId);
    if (!ofReplica) return;
    const outstanding = facts.outstanding.length > 0 ? new Set(facts.outstanding) : undefined;
    for (const sequence of ofReplica.keys()) {
      if (sequence <= facts.issuedThrough && !outstanding?.has(sequence)) ofReplica.delete(sequence);
    }
    if (ofReplica.size === 0) this.#held.delete(ingressId);
  }

  /** Publishes the reports of silent replicas and those held too long. */
  check(): void {
    const now = this.#now();
    for (const [ingressId, ofReplica] of this.#held) {
      for (const [sequence, held] of ofReplica) {
        const lastSign = Math.max(held.heldAt, this.#options.lastHeardAt(ingressId) ?? Number.NEGATIVE_INFINITY);
        if (now - lastSign < this.#options.silenceMs && now - held.heldAt < this.#maximumHoldMs) continue;
        ofReplica.delete(sequence);
        this.#options.publisher.report(held.report);
      }
      if (ofReplica.size === 0) this.#held.delete(ingressId);
    }
  }

  get size(): number {
    let size = 0;
    for (const ofReplica of this.#held.values()) size += ofReplica.size;
    return size;
  }

  /** At shutdown: publishes everything still held, then waits for the publisher like `UsageReporter.pending`. */
  async pending(): Promise<void> {
    clearInterval(this.#timer);
    this.#flushed = true;
    for (const ofReplica of this.#held.values()) for (const held of ofReplica.values()) this.#options.publisher.report(held.report);
    this.#held.clear();
    await this.#options.publisher.pending();
  }
}
