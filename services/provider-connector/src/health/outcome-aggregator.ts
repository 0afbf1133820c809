import { endpointOutcomeClasses, maximumOutcomeSamples, type EndpointOutcomeClass, type EndpointOutcomes } from "@switchboard/contracts";

/** One attempt's outcome as the generate handler measured it. */
export interface AttemptOutcome {
  endpointId: string;
  outcome: EndpointOutcomeClass;
  /** Milliseconds from sending the request to the first output; absent when nothing was output. */
  timeToFirstTokenMilliseconds?: number;
  /** Output tokens per second after the first one; absent when it cannot be measured (no usage, no stream). */
  outputTokensPerSecond?: number;
}

/**
 * Sums attempt outcomes per endpoint between two reports: a counter increment and at most two array
 * pushes per attempt on the request path, nothing else. Samples beyond `maximumOutcomeSamples` replace
 * a random earlier one (reservoir sampling), so a report's medians still speak for every attempt.
 */
export class OutcomeAggregator {
  private pending = new Map<string, EndpointOutcomes & { attempts: number }>();

  constructor(private readonly random: () => number = Math.random) {}

  /** Records an attempt; returns true when it failed by the provider's fault (the reporter then reports soon). */
  record(attempt: AttemptOutcome): boolean {
    let entry = this.pending.get(attempt.endpointId);
    if (!entry) {
      entry = {
        endpointId: attempt.endpointId,
        counts: { ok: 0, rate_limited: 0, server_error: 0, timeout: 0, connect_error: 0, client_error: 0 },
        trailingFailures: 0,
        timeToFirstTokenMilliseconds: [],
        outputTokensPerSecond: [],
        attempts: 0,
      };
      this.pending.set(attempt.endpointId, entry);
    }
    entry.counts[attempt.outcome] += 1;
    if (attempt.outcome === endpointOutcomeClasses.clientError) return false;
    if (attempt.outcome !== endpointOutcomeClasses.ok) {
      entry.trailingFailures += 1;
      return true;
    }
    entry.trailingFailures = 0;
    entry.attempts += 1;
    this.sample(entry.timeToFirstTokenMilliseconds, attempt.timeToFirstTokenMilliseconds, entry.attempts);
    this.sample(entry.outputTokensPerSecond, attempt.outputTokensPerSecond, entry.attempts);
    return false;
  }

  /** The outcomes since the last call, one entry per endpoint, and a fresh start; empty when nothing happened. */
  take(): EndpointOutcomes[] {
    const taken = [...this.pending.values()].map(({ attempts: _attempts, ...outcomes }) => outcomes);
    this.pending = new Map();
    return taken;
  }

  private sample(samples: number[], value: number | undefined, seen: number): void {
    if (value === undefined || !Number.isFinite(value) || value < 0) return;
    if (samples.length < maximumOutcomeSamples) samples.push(value);
    else {
      const slot = Math.floor(this.random() * seen);
      if (slot < maximumOutcomeSamples) samples[slot] = value;
    }
  }
}
