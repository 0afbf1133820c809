import type { AttemptProgress } from "@switchboard/contracts";

/** Something that can say how far its attempt got (the attempt's numbered part publisher). */
export interface ProgressSource {
  progress(): AttemptProgress;
}

/**
 * Long enough for an ingress to ask after a NATS outage (it asks within seconds of reconnecting), short
 * enough that the counts of finished attempts never pile up.
 */
export const defaultRetentionMs = 60_000;

/**
 * The attempts this replica runs or ran recently, by the inbox their parts go to. When NATS drops parts
 * (an outage between connector and ingress), ingress asks here how far the attempt got: it then ends the
 * generation at once instead of waiting for its idle timeout, and charges the output the provider
 * produced even where the parts carrying it were lost.
 */
export class AttemptRegistry {
  readonly #attempts = new Map<string, ProgressSource>();
  readonly #expiries = new Map<string, NodeJS.Timeout>();

  constructor(private readonly retentionMs = defaultRetentionMs) {}

  track(replyTo: string, source: ProgressSource): void {
    clearTimeout(this.#expiries.get(replyTo));
    this.#expiries.delete(replyTo);
    this.#attempts.set(replyTo, source);
  }

  /** The attempt ended: its counts stay answerable for the retention period. */
  finish(replyTo: string): void {
    const timer = setTimeout(() => {
      this.#attempts.delete(replyTo);
      this.#expiries.delete(replyTo);
    }, this.retentionMs);
    timer.unref();
    this.#expiries.set(replyTo, timer);
  }

  progress(replyTo: string): AttemptProgress | undefined {
    return this.#attempts.get(replyTo)?.progress();
  }

  get size(): number {
    return this.#attempts.size;
  }

  /** Forgets everything (the connector stops). */
  clear(): void {
    for (const timer of this.#expiries.values()) clearTimeout(timer);
    this.#expiries.clear();
    this.#attempts.clear();
  }
}
