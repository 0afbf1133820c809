import { endpointHealthStatuses, performancePercentileNames, type EndpointHealth, type EndpointOutcomes, type PerformancePercentiles } from "@switchboard/contracts";
import { LogScaleHistogram } from "./log-scale-histogram.js";

/** When the tracker ejects an endpoint, for how long, and over which windows it measures. Milliseconds. */
export interface HealthPolicy {
  /** Provider failures in a row that eject an endpoint. */
  consecutiveFailuresToEject: number;
  /** A failure share over the short window that ejects an endpoint, once it saw `minimumAttemptsForFailureRate`. */
  failureRateToEject: number;
  minimumAttemptsForFailureRate: number;
  /** The first ejection's length; each further ejection in a row doubles it, up to `maximumEjection`. */
  firstEjection: number;
  maximumEjection: number;
  shortWindow: number;
  longWindow: number;
}

/**
 * Issue 9's figures: an ejection lasts at most 30 s, so after its last failure a healthy endpoint is back
 * in the weighted pool within 30 s plus a report interval and a snapshot publication (the 35 s promised).
 */
export const defaultHealthPolicy: HealthPolicy = {
  consecutiveFailuresToEject: 3,
  failureRateToEject: 0.5,
  minimumAttemptsForFailureRate: 10,
  firstEjection: 5_000,
  maximumEjection: 30_000,
  shortWindow: 30_000,
  longWindow: 300_000,
};

interface WindowEntry {
  at: number;
  successes: number;
  failures: number;
  timeToFirstTokenMilliseconds: readonly number[];
  outputTokensPerSecond: readonly number[];
}

/** The listing's longer windows (OpenRouter's `*_last_30m`, `uptime_last_1d`), kept per minute. */
const minute = 60_000;
const thirtyMinutes = 30 * minute;
const oneDay = 24 * 60 * minute;

/**
 * One minute of an endpoint's attempts: counts for a day, histograms for 30 minutes. At most 1,440 per
 * endpoint, and only the last 30 hold histograms, so memory stays bounded whatever the traffic.
 */
interface MinuteBucket {
  minute: number;
  successes: number;
  failures: number;
  latency: LogScaleHistogram | null;
  throughput: LogScaleHistogram | null;
}

/** What the snapshot in the bucket said when this router started: reported while the tracker has no figure of its own. */
interface CarriedHealth {
  health: EndpointHealth;
  publishedAt: number;
}

interface EndpointState {
  entries: WindowEntry[];
  minutes: MinuteBucket[];
  carried: CarriedHealth | null;
  consecutiveFailures: number;
  /** Ejections in a row without a success between them: the next backoff doubles with each. */
  ejectionsInRow: number;
  ejectedUntil: number | null;
  /** The failure-rate rule counts only attempts after this: an ejection is not repeated for the same failures. */
  countingSince: number;
}

/**
 * Endpoint health from the connectors' outcome reports: sliding windows of successes, failures, time to
 * first token and throughput per endpoint, and ejection (envoy's outlier detection, simplified). An
 * endpoint is ejected after `consecutiveFailuresToEject` provider failures in a row, or when most of its
 * recent attempts failed; the ejection lasts `firstEjection`, doubling with each ejection in a row up to
 * `maximumEjection`. When it ends the endpoint is routed to again: one more failure before a success
 * ejects it again at once (with the doubled backoff), a success makes it healthy and resets the backoff.
 *
 * Deterministic: time is an argument (milliseconds since the epoch) and nothing else is read, so the
 * tests drive it with a hand-held clock. The router owns one tracker and publishes `healthAt(now)`.
 */
export class EndpointHealthTracker {
  private readonly states = new Map<string, EndpointState>();

  constructor(private readonly policy: HealthPolicy = defaultHealthPolicy) {}

  /** Takes in one endpoint's part of an outcome report, received at `now`. */
  record(outcomes: EndpointOutcomes, now: number): void {
    const state = this.stateOf(outcomes.endpointId, now);
    const { counts } = outcomes;
    const successes = counts.ok;
    const failures = counts.rate_limited + counts.server_error + counts.timeout + counts.connect_error;
    if (successes === 0 && failures === 0) return;
    this.prune(state, now);
    this.countByMinute(state, outcomes, successes, failures, now);
    state.entries.push({
      at: now,
      successes,
      failures,
      timeToFirstTokenMilliseconds: outcomes.timeToFirstTokenMilliseconds,
      outputTokensPerSecond: outcomes.outputTokensPerSecond,
    });
    const ejected = state.ejectedUntil !== null && now < state.ejectedUntil;
    if (ejected) return;
    if (state.ejectedUntil !== null) {
      // The ejection has run out and this report holds the endpoint's first attempts since.
      state.ejectedUntil = null;
      if (successes === 0) return this.eject(state, now);
    }
    if (successes > 0) {
      state.consecutiveFailures = outcomes.trailingFailures;
      state.ejectionsInRow = 0;
    } else state.consecutiveFailures += failures;
    if (state.consecutiveFailures >= this.policy.consecutiveFailuresToEject || this.failureRateTooHigh(state, now)) this.eject(state, now);
  }

  /**
   * Every endpoint seen, judged at `now`. Endpoints never reported are absent (routing treats them as
   * healthy), and so are those with nothing left to say: no report for a day, nothing carried, no
   * ejection running. Their state is dropped, so an endpoint removed from the catalog is not published forever.
   */
  healthAt(now: number): Map<string, EndpointHealth> {
    const health = new Map<string, EndpointHealth>();
    for (const [endpointId, state] of this.states) {
      this.prune(state, now);
      if (state.carried !== null && now >= state.carried.publishedAt + oneDay) state.carried = null;
      if (state.entries.length === 0 && state.minutes.length === 0 && state.carried === null && (state.ejectedUntil === null || now >= state.ejectedUntil)) {
        this.states.delete(endpointId);
        continue;
      }
      const ejected = state.ejectedUntil !== null && now < state.ejectedUntil;
      const longWindow = state.entries;
      const shortWindow = longWindow.filter((entry) => entry.at > now - this.policy.shortWindow);
      // Sorted once: the median and the percentiles read the same samples.
      const latencies = sortedSamples(longWindow, "timeToFirstTokenMilliseconds");
      const throughputs = sortedSamples(longWindow, "outputTokensPerSecond");
      const lastThirtyMinutes = bucketsSince(state.minutes, Math.floor(now / minute) - thirtyMinutes / minute);
      const measured: EndpointHealth = {
        status: ejected ? endpointHealthStatuses.ejected : endpointHealthStatuses.healthy,
        ejectedUntil: ejected && state.ejectedUntil !== null ? new Date(state.ejectedUntil).toISOString() : null,
        uptimeLast30Seconds: uptimeOf(shortWindow),
        uptimeLast5Minutes: uptimeOf(longWindow),
        latencyP50Milliseconds: medianOf(latencies),
        throughputP50TokensPerSecond: medianOf(throughputs),
        requestsLast5Minutes: longWindow.reduce((sum, entry) => sum + entry.successes + entry.failures, 0),
        ejectionsInRow: state.ejectionsInRow,
        uptimeLast30Minutes: roundedUptime(uptimeOf(lastThirtyMinutes)),
        uptimeLastDay: roundedUptime(uptimeOf(state.minutes)),
        latencyLast5Minutes: percentilesOf(latencies),
        throughputLast5Minutes: percentilesOf(throughputs),
        latencyLast30Minutes: LogScaleHistogram.percentilesOf(histogramsOf(lastThirtyMinutes, "latency")),
        throughputLast30Minutes: LogScaleHistogram.percentilesOf(histogramsOf(lastThirtyMinutes, "throughput")),
      };
      health.set(endpointId, state.carried === null ? measured : this.withCarriedFigures(measured, state.carried, now));
    }
    return health;
  }

  /**
   * Takes up the health the previous router published (the routing snapshot in the bucket at start), so a
   * restart forgets neither an ejection nor its backoff: an endpoint ejected then stays ejected until the
   * time it was given, and an ejection that ended while no router ran leaves the endpoint on probation (its
   * next attempt failing ejects it again, for the doubled backoff). The published figures are reported
   * as they were until the tracker measures its own for the same figure, or until that figure's window
   * has passed since they were published. Call it before any `record`.
   */
  seed(previous: Readonly<Record<string, EndpointHealth>>, publishedAt: number, now: number): void {
    for (const [endpointId, health] of Object.entries(previous)) {
      const state = this.stateOf(endpointId, now);
      state.carried = { health, publishedAt };
      const ejected = health.status === endpointHealthStatuses.ejected && health.ejectedUntil !== null;
      // A snapshot from a router that did not publish the backoff: an ejection is at least the first in a row.
      state.ejectionsInRow = health.ejectionsInRow ?? (ejected ? 1 : 0);
      if (ejected) state.ejectedUntil = Date.parse(health.ejectedUntil as string);
    }
  }

  /** The next moment an ejection ends, when the published health must change without any report; null if none. */
  nextEjectionEnd(now: number): number | null {
    let next: number | null = null;
    for (const state of this.states.values()) {
      if (state.ejectedUntil !== null && state.ejectedUntil > now && (next === null || state.ejectedUntil < next)) next = state.ejectedUntil;
    }
    return next;
  }

  private eject(state: EndpointState, now: number): void {
    const backoff = Math.min(this.policy.firstEjection * 2 ** state.ejectionsInRow, this.policy.maximumEjection);
    state.ejectedUntil = now + backoff;
    state.ejectionsInRow += 1;
    state.consecutiveFailures = 0;
    state.countingSince = now + 1;
  }

  /**
   * Each figure measured here, else the carried one while its window has not passed since it was published.
   * The 30-minute and day uptimes blend the two instead: a few minutes of own attempts must not replace a
   * day's published figure, so the carried one counts for the part of its window not measured here yet
   * (the published figure carries no request counts; traffic is taken as even over the window).
   */
  private withCarriedFigures(measured: EndpointHealth, carried: CarriedHealth, now: number): EndpointHealth {
    const previous = carried.health;
    const age = now - carried.publishedAt;
    const pick = <Figure>(own: Figure | null | undefined, published: Figure | null | undefined, window: number): Figure | null =>
      own ?? (age < window ? (published ?? null) : null);
    const blend = (own: number | null | undefined, published: number | null | undefined, window: number): number | null => {
      if (own === null || own === undefined || published === null || published === undefined || age >= window) return pick(own, published, window);
      const measuredShare = Math.max(age, 0) / window;
      return roundedUptime(published * (1 - measuredShare) + own * measuredShare);
    };
    const long = this.policy.longWindow;
    return {
      ...measured,
      uptimeLast30Seconds: pick(measured.uptimeLast30Seconds, previous.uptimeLast30Seconds, this.policy.shortWindow),
      uptimeLast5Minutes: pick(measured.uptimeLast5Minutes, previous.uptimeLast5Minutes, long),
      latencyP50Milliseconds: pick(measured.latencyP50Milliseconds, previous.latencyP50Milliseconds, long),
      throughputP50TokensPerSecond: pick(measured.throughputP50TokensPerSecond, previous.throughputP50TokensPerSecond, long),
      requestsLast5Minutes: measured.requestsLast5Minutes > 0 || age >= long ? measured.requestsLast5Minutes : previous.requestsLast5Minutes,
      uptimeLast30Minutes: blend(measured.uptimeLast30Minutes, previous.uptimeLast30Minutes, thirtyMinutes),
      uptimeLastDay: blend(measured.uptimeLastDay, previous.uptimeLastDay, oneDay),
      latencyLast5Minutes: pick(measured.latencyLast5Minutes, previous.latencyLast5Minutes, long),
      throughputLast5Minutes: pick(measured.throughputLast5Minutes, previous.throughputLast5Minutes, long),
      latencyLast30Minutes: pick(measured.latencyLast30Minutes, previous.latencyLast30Minutes, thirtyMinutes),
      throughputLast30Minutes: pick(measured.throughputLast30Minutes, previous.throughputLast30Minutes, thirtyMinutes),
    };
  }

  private countByMinute(state: EndpointState, outcomes: EndpointOutcomes, successes: number, failures: number, now: number): void {
    const current = Math.floor(now / minute);
    let bucket = state.minutes.at(-1);
    if (bucket === undefined || bucket.minute !== current) {
      bucket = { minute: current, successes: 0, failures: 0, latency: new LogScaleHistogram(), throughput: new LogScaleHistogram() };
      state.minutes.push(bucket);
    }
    bucket.successes += successes;
    bucket.failures += failures;
    for (const value of outcomes.timeToFirstTokenMilliseconds) bucket.latency?.add(value);
    for (const value of outcomes.outputTokensPerSecond) bucket.throughput?.add(value);
  }

  private failureRateTooHigh(state: EndpointState, now: number): boolean {
    let successes = 0;
    let failures = 0;
    for (const entry of state.entries) {
      if (entry.at < state.countingSince || entry.at <= now - this.policy.shortWindow) continue;
      successes += entry.successes;
      failures += entry.failures;
    }
    const attempts = successes + failures;
    return attempts >= this.policy.minimumAttemptsForFailureRate && failures / attempts >= this.policy.failureRateToEject;
  }

  private prune(state: EndpointState, now: number): void {
    const oldest = now - this.policy.longWindow;
    let expired = 0;
    while (expired < state.entries.length && (state.entries[expired] as WindowEntry).at <= oldest) expired += 1;
    if (expired > 0) state.entries.splice(0, expired);
    const current = Math.floor(now / minute);
    let expiredMinutes = 0;
    while (expiredMinutes < state.minutes.length && (state.minutes[expiredMinutes] as MinuteBucket).minute <= current - oneDay / minute) expiredMinutes += 1;
    if (expiredMinutes > 0) state.minutes.splice(0, expiredMinutes);
    // Histograms are needed for 30 minutes only; the day's counts keep going without them.
    for (const bucket of state.minutes) {
      if (bucket.minute > current - thirtyMinutes / minute) break;
      bucket.latency = null;
      bucket.throughput = null;
    }
  }

  private stateOf(endpointId: string, now: number): EndpointState {
    let state = this.states.get(endpointId);
    if (!state) {
      state = { entries: [], minutes: [], carried: null, consecutiveFailures: 0, ejectionsInRow: 0, ejectedUntil: null, countingSince: now };
      this.states.set(endpointId, state);
    }
    return state;
  }
}

function uptimeOf(entries: readonly { successes: number; failures: number }[]): number | null {
  let successes = 0;
  let failures = 0;
  for (const entry of entries) {
    successes += entry.successes;
    failures += entry.failures;
  }
  return successes + failures === 0 ? null : successes / (successes + failures);
}

/** A typed array sorts numerically without a comparator callback: several times faster on thousands of samples. */
function sortedSamples(entries: readonly WindowEntry[], figure: "timeToFirstTokenMilliseconds" | "outputTokensPerSecond"): Float64Array {
  let length = 0;
  for (const entry of entries) length += entry[figure].length;
  const samples = new Float64Array(length);
  let offset = 0;
  for (const entry of entries) {
    samples.set(entry[figure], offset);
    offset += entry[figure].length;
  }
  return samples.sort();
}

function medianOf(sorted: Float64Array): number | null {
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Four decimals: a hundredth of a percent in the listing, and a short snapshot. */
function roundedUptime(uptime: number | null): number | null {
  return uptime === null ? null : Math.round(uptime * 10_000) / 10_000;
}

/** Nearest-rank percentiles of sorted samples, to three significant digits; null without samples. */
function percentilesOf(sorted: Float64Array): PerformancePercentiles | null {
  if (sorted.length === 0) return null;
  const percentiles = { p50: 0, p75: 0, p90: 0, p99: 0 };
  for (const name of performancePercentileNames) {
    const rank = Math.ceil((Number(name.slice(1)) / 100) * sorted.length);
    percentiles[name] = Number((sorted[Math.max(rank - 1, 0)] as number).toPrecision(3));
  }
  return percentiles;
}

/** The buckets after minute `after`: the newest are last, so the scan starts there and stops at the window's edge. */
function bucketsSince(buckets: readonly MinuteBucket[], after: number): readonly MinuteBucket[] {
  let first = buckets.length;
  while (first > 0 && (buckets[first - 1] as MinuteBucket).minute > after) first -= 1;
  return buckets.slice(first);
}

function histogramsOf(buckets: readonly MinuteBucket[], figure: "latency" | "throughput"): LogScaleHistogram[] {
  return buckets.flatMap((bucket) => (bucket[figure] === null ? [] : [bucket[figure]]));
}
