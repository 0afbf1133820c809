import { endpointHealthStatuses, type EndpointHealth, type EndpointOutcomes } from "@switchboard/contracts";

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

interface EndpointState {
  entries: WindowEntry[];
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

  /** Every endpoint seen, judged at `now`. Endpoints never reported are absent (routing treats them as healthy). */
  healthAt(now: number): Map<string, EndpointHealth> {
    const health = new Map<string, EndpointHealth>();
    for (const [endpointId, state] of this.states) {
      this.prune(state, now);
      const ejected = state.ejectedUntil !== null && now < state.ejectedUntil;
      const longWindow = state.entries;
      const shortWindow = longWindow.filter((entry) => entry.at > now - this.policy.shortWindow);
      health.set(endpointId, {
        status: ejected ? endpointHealthStatuses.ejected : endpointHealthStatuses.healthy,
        ejectedUntil: ejected && state.ejectedUntil !== null ? new Date(state.ejectedUntil).toISOString() : null,
        uptimeLast30Seconds: uptimeOf(shortWindow),
        uptimeLast5Minutes: uptimeOf(longWindow),
        latencyP50Milliseconds: medianOf(longWindow.flatMap((entry) => entry.timeToFirstTokenMilliseconds)),
        throughputP50TokensPerSecond: medianOf(longWindow.flatMap((entry) => entry.outputTokensPerSecond)),
        requestsLast5Minutes: longWindow.reduce((sum, entry) => sum + entry.successes + entry.failures, 0),
      });
    }
    return health;
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
  }

  private stateOf(endpointId: string, now: number): EndpointState {
    let state = this.states.get(endpointId);
    if (!state) {
      state = { entries: [], consecutiveFailures: 0, ejectionsInRow: 0, ejectedUntil: null, countingSince: now };
      this.states.set(endpointId, state);
    }
    return state;
  }
}

function uptimeOf(entries: readonly WindowEntry[]): number | null {
  let successes = 0;
  let failures = 0;
  for (const entry of entries) {
    successes += entry.successes;
    failures += entry.failures;
  }
  return successes + failures === 0 ? null : successes / (successes + failures);
}

function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
