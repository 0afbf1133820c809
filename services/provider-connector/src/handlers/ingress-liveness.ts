/**
 * `INGRESS_SILENCE_MS`'s default: three missed heartbeats (ingress beats every second), long enough that a
 * busy event loop or a NATS reconnect does not stop healthy generations.
 */
export const defaultIngressSilenceMs = 3_000;

/** Called once when the ingress replica that asked for an attempt has been silent too long. */
export type OnIngressSilent = () => void;

interface Watched {
  readonly ingressId: string;
  /** `now()` when the watch began: an ingress not heard from yet is given the whole silence from then. */
  since: number;
  onSilent: OnIngressSilent;
}

export interface IngressLivenessOptions {
  /** How long an ingress replica may be silent before its attempts are stopped (`INGRESS_SILENCE_MS`). */
  silenceMs: number;
  /** How often the watched attempts are checked; defaults to a quarter of `silenceMs`. */
  checkIntervalMs?: number;
  now?: () => number;
  /**
   * Whether this connector's own NATS connection is up. While it is not, no heartbeat can arrive, so
   * silence says nothing about ingress: nothing is judged, and every replica gets a fresh silence period
   * once the connection is back (a NATS restart must not stop every generation).
   */
  isConnected?: () => boolean;
}

/**
 * The last heartbeat of every ingress replica, and the attempts waiting on each (issue 10). An attempt
 * whose replica has said nothing for `silenceMs` (counted from the later of its last heartbeat and the
 * attempt's start) is told once, so its upstream call stops: nobody is left to relay the answer. One timer
 * checks every watched attempt; nothing runs per part or per heartbeat beyond a map update.
 */
export class IngressLiveness {
  readonly #lastHeard = new Map<string, number>();
  readonly #watched = new Set<Watched>();
  readonly #silenceMs: number;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  readonly #isConnected: () => boolean;
  #wasDisconnected = false;

  constructor(options: IngressLivenessOptions) {
    this.#silenceMs = options.silenceMs;
    this.#now = options.now ?? (() => performance.now());
    this.#isConnected = options.isConnected ?? (() => true);
    this.#timer = setInterval(() => this.check(), options.checkIntervalMs ?? Math.max(50, Math.floor(options.silenceMs / 4)));
    this.#timer.unref();
  }

  /** An ingress replica's heartbeat arrived. */
  heard(ingressId: string): void {
    this.#lastHeard.set(ingressId, this.#now());
  }

  /** When the replica's last heartbeat arrived (on this watch's clock), if it was heard since the connection was last lost. */
  lastHeardAt(ingressId: string): number | undefined {
    return this.#lastHeard.get(ingressId);
  }

  /** Watches an attempt's ingress replica until the returned function is called (the attempt ended). */
  watch(ingressId: string, onSilent: OnIngressSilent): () => void {
    const watched: Watched = { ingressId, since: this.#now(), onSilent };
    this.#watched.add(watched);
    return () => this.#watched.delete(watched);
  }

  /** Tells every attempt whose ingress went silent, once; forgets replicas silent for long (restarted ones get a new id). */
  check(): void {
    const now = this.#now();
    if (!this.#isConnected()) {
      this.#wasDisconnected = true;
      return;
    }
    if (this.#wasDisconnected) {
      this.#wasDisconnected = false;
      for (const watched of this.#watched) watched.since = now;
      this.#lastHeard.clear();
      return;
    }
    for (const watched of this.#watched) {
      const lastSign = Math.max(watched.since, this.#lastHeard.get(watched.ingressId) ?? Number.NEGATIVE_INFINITY);
      if (now - lastSign < this.#silenceMs) continue;
      this.#watched.delete(watched);
      watched.onSilent();
    }
    for (const [ingressId, heardAt] of this.#lastHeard) if (now - heardAt > 10 * this.#silenceMs) this.#lastHeard.delete(ingressId);
  }

  get watching(): number {
    return this.#watched.size;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#watched.clear();
  }
}
