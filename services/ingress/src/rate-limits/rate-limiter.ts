import type { KeyRateLimit, RateLimitCounts } from "@switchboard/contracts";

/** Why a request was refused, and when trying again can succeed: what the 429 says. */
export interface RateLimitRefusal {
  limit: KeyRateLimit;
  /** Whole seconds until a request can be admitted again if nobody sends another meanwhile; at least 1. */
  retryAfterSeconds: number;
  /** Epoch milliseconds of that moment (OpenRouter's X-RateLimit-Reset). */
  resetAtMs: number;
}

export interface RateLimiterOptions {
  /** This replica's id in its reports; reports carrying it are its own, heard back, and ignored. */
  replica: string;
  /** How often counts are exchanged (RateLimitSharing's timer); the unit of the extrapolation below. */
  reportIntervalMs: number;
  /** A replica not heard from for this long is taken to be gone: its counts stop counting. */
  peerTimeoutMs: number;
  now?: () => number;
}

/** How many report periods of this replica's admissions per key are remembered, for the extrapolation. */
const tickHistoryLength = 8;

/** What this replica admitted for one key. Windows are `floor(epoch ms / interval ms)`, alike on every replica. */
interface OwnCounts {
  intervalSeconds: number;
  window: number;
  count: number;
  previousCount: number;
  /** Every admission since the key was first counted here, never reset: the baseline of the extrapolation. */
  admitted: number;
  /** Ring of (report period, `admitted` when the period's first admission came), newest at `ringEnd - 1`. */
  tickOf: number[];
  admittedBeforeTick: number[];
  ringEnd: number;
  /** `admitted` when this key was last reported (−1: never): a report of changes only leaves it out while equal. */
  reportedAdmitted: number;
}

interface PeerCounts {
  intervalSeconds: number;
  window: number;
  count: number;
  previousCount: number;
}

interface Peer {
  heardAt: number;
  /** The report period in which its latest report arrived. */
  heardInTick: number;
  keys: Map<string, PeerCounts>;
}

/**
 * Per-key rate limits across ingress replicas without a round trip per request (issue 10). Each replica
 * counts what it admits per key in fixed windows of the key's interval and, every report period (~100 ms),
 * publishes its counts; it keeps the other replicas' latest counts. A request is admitted when
 *
 *   (previous window's total) × (share of the current window still ahead) + (current window's total) + 1 ≤ limit
 *
 * (the sliding-window approximation over two fixed windows, counting the request being admitted: the
 * estimate with it must not pass the limit; "estimate < limit" would let a key limited to 3 a minute send
 * a fourth request just after the minute turns, when the previous window's 3 weigh 2.99), where each total
 * is this replica's count plus every live peer's latest report plus, per peer, an estimate of what it
 * admitted since its report: as much as this replica admitted since then. With the replicas under the
 * same load that estimate is right, so they together never pass the limit even in the first report period
 * of a burst (each takes its 1/N of what is left); under uneven load it errs on the safe side for one
 * report period, until the next report corrects it.
 * An idle peer's empty reports keep the estimate honest. Keys without a limit never reach this class.
 */
export class RateLimiter {
  private readonly own = new Map<string, OwnCounts>();
  private readonly peers = new Map<string, Peer>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Admits one request with this key (and counts it), or says why not. */
  admit(keyHash: string, limit: KeyRateLimit): RateLimitRefusal | undefined {
    const now = this.now();
    const intervalMs = limit.intervalSeconds * 1_000;
    const window = Math.floor(now / intervalMs);
    let own = this.own.get(keyHash);
    if (own === undefined || own.intervalSeconds !== limit.intervalSeconds) {
      own = { intervalSeconds: limit.intervalSeconds, window, count: 0, previousCount: 0, admitted: 0, tickOf: [], admittedBeforeTick: [], ringEnd: 0, reportedAdmitted: -1 };
      this.own.set(keyHash, own);
    }
    rollTo(own, window);
    let current = own.count;
    let previous = own.previousCount;
    for (const peer of this.peers.values()) {
      if (now - peer.heardAt > this.options.peerTimeoutMs) continue;
      const reported = peer.keys.get(keyHash);
      if (reported !== undefined && reported.intervalSeconds === limit.intervalSeconds) {
        if (reported.window === window) {
          current += reported.count;
          previous += reported.previousCount;
        } else if (reported.window === window - 1) {
          previous += reported.count;
        }
      }
      current += own.admitted - admittedBefore(own, peer.heardInTick);
    }
    const remainingShare = 1 - (now - window * intervalMs) / intervalMs;
    if (previous * remainingShare + current + 1 <= limit.requests) {
      this.count(own, Math.floor(now / this.options.reportIntervalMs));
      return undefined;
    }
    const waitMs = millisecondsUntilAdmissible(limit.requests, previous, current, remainingShare, intervalMs);
    return { limit, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1_000)), resetAtMs: Math.ceil(now + waitMs) };
  }

  /**
   * This replica's counts to publish now: every key it admitted a request for in the current or the previous
   * window, or with `onlyChanged` only those it admitted a request for since their last report. Leaving out
   * an unchanged key loses nothing: a peer keeps the key's last entry, and when the window turns it reads
   * that entry's count as the previous window's, as this replica does (`rollTo`); a report lost on the way
   * is made good by the next full one (shareRateLimitCounts sends one every second). Also forgets keys idle
   * for longer and peers not heard from within the timeout.
   */
  report(options: { onlyChanged: boolean } = { onlyChanged: false }): RateLimitCounts["keys"] {
    const now = this.now();
    const keys: RateLimitCounts["keys"] = [];
    for (const [keyHash, own] of this.own) {
      rollTo(own, Math.floor(now / (own.intervalSeconds * 1_000)));
      if (own.count === 0 && own.previousCount === 0) {
        this.own.delete(keyHash);
        continue;
      }
      if (options.onlyChanged && own.reportedAdmitted === own.admitted) continue;
      own.reportedAdmitted = own.admitted;
      keys.push({ keyHash, intervalSeconds: own.intervalSeconds, window: own.window, count: own.count, previousCount: own.previousCount });
    }
    for (const [replica, peer] of this.peers) {
      if (now - peer.heardAt > this.options.peerTimeoutMs) {
        this.peers.delete(replica);
        continue;
      }
      for (const [keyHash, counts] of peer.keys) {
        if (counts.window < Math.floor(now / (counts.intervalSeconds * 1_000)) - 1) peer.keys.delete(keyHash);
      }
    }
    return keys;
  }

  /** Takes in another replica's report (one's own, heard back, is ignored). */
  apply(report: RateLimitCounts): void {
    if (report.replica === this.options.replica) return;
    const now = this.now();
    let peer = this.peers.get(report.replica);
    if (peer === undefined) {
      peer = { heardAt: now, heardInTick: 0, keys: new Map() };
      this.peers.set(report.replica, peer);
    }
    peer.heardAt = now;
    peer.heardInTick = Math.floor(now / this.options.reportIntervalMs);
    // Merged, not replaced: a replica with very many keys sends them in several messages. A count never
    // shrinks within its window, and an entry of a window gone by stops counting (and is dropped by report()).
    for (const entry of report.keys) {
      peer.keys.set(entry.keyHash, { intervalSeconds: entry.intervalSeconds, window: entry.window, count: entry.count, previousCount: entry.previousCount });
    }
  }

  /** How many other replicas are live, for tests and health. */
  get livePeers(): number {
    const now = this.now();
    let live = 0;
    for (const peer of this.peers.values()) if (now - peer.heardAt <= this.options.peerTimeoutMs) live++;
    return live;
  }

  private count(own: OwnCounts, tick: number): void {
    const newest = own.ringEnd - 1;
    if (own.ringEnd === 0 || own.tickOf[newest % tickHistoryLength] !== tick) {
      own.tickOf[own.ringEnd % tickHistoryLength] = tick;
      own.admittedBeforeTick[own.ringEnd % tickHistoryLength] = own.admitted;
      own.ringEnd++;
    }
    own.count++;
    own.admitted++;
  }
}

/** Moves a key's counts to `window`: the current count becomes the previous one, or both are zero after a gap. */
function rollTo(own: OwnCounts, window: number): void {
  if (own.window === window) return;
  own.previousCount = own.window === window - 1 ? own.count : 0;
  own.count = 0;
  own.window = window;
}

/**
 * What this replica had admitted for the key when report period `tick` began: `admitted` minus that is what
 * it admitted since a peer's report that arrived in that period (a little more, which errs on the safe side).
 */
function admittedBefore(own: OwnCounts, tick: number): number {
  const oldest = Math.max(0, own.ringEnd - tickHistoryLength);
  for (let index = oldest; index < own.ringEnd; index++) {
    const slot = index % tickHistoryLength;
    if ((own.tickOf[slot] as number) >= tick) return own.admittedBeforeTick[slot] as number;
  }
  // Nothing admitted since that period began.
  return own.admitted;
}

/**
 * How long until `previous × remaining share + current + 1 ≤ limit` holds with no more admissions: later in
 * this window if the previous window's weight alone is in the way, else once this window is the previous one.
 */
function millisecondsUntilAdmissible(limit: number, previous: number, current: number, remainingShare: number, intervalMs: number): number {
  const room = limit - 1;
  if (current <= room) {
    // previous × share ≤ room − current, i.e. share ≤ (room − current) / previous.
    const share = previous > 0 ? (room - current) / previous : 1;
    return Math.max(0, (remainingShare - share) * intervalMs);
  }
  // Next window: current × share' ≤ room, share' = room / current, reached (1 − share') into it.
  return remainingShare * intervalMs + (1 - room / current) * intervalMs;
}
