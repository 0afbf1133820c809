import { parsePrometheusText } from "../support/parse-prometheus-text.js";

/** One /metrics endpoint: a service's name and the URL of its /metrics. */
export interface ScrapeTarget {
  readonly name: string;
  readonly url: string;
}

/** The scrapes of one target over a run. */
export interface ScrapeCounts {
  name: string;
  /** Scrapes started, one per interval. */
  attempted: number;
  /** Answered 200 within the interval with text that parses as Prometheus exposition format. */
  succeeded: number;
}

/** Prometheus's default scrape timeout; a shorter interval shortens it (a scrape must end before the next). */
const scrapeTimeoutMs = 10_000;

/** A running scraper; `stop()` waits for the scrapes in flight and returns the counts of each target (again, unchanged, when called again). */
export interface MetricsScraper {
  stop(): Promise<ScrapeCounts[]>;
}

/**
 * Scrapes every target every `intervalMs`, as Prometheus would: each scrape must answer within the
 * interval, or 10 s when that is shorter (Prometheus's scrape timeout), and parse, or it counts as failed. Should
 * a scrape still be in flight at the next tick (its answer read just before the timeout), the target is not
 * scraped twice at once: that tick counts as attempted and failed. The parsing runs here, on the load
 * side, not in the stack.
 */
export function startMetricsScraper(targets: readonly ScrapeTarget[], intervalMs: number): MetricsScraper {
  const counts = targets.map((target): ScrapeCounts => ({ name: target.name, attempted: 0, succeeded: 0 }));
  const inFlight = new Map<number, Promise<void>>();

  const scrape = async (target: ScrapeTarget, into: ScrapeCounts) => {
    try {
      const response = await fetch(target.url, { signal: AbortSignal.timeout(Math.min(intervalMs, scrapeTimeoutMs)) });
      const text = await response.text();
      if (response.status === 200 && parsePrometheusText(text).size > 0) into.succeeded += 1;
    } catch {
      // A refused connection, a timeout or text that does not parse: a failed scrape, counted as such.
    }
  };
  const tick = () => {
    targets.forEach((target, index) => {
      const into = counts[index] as ScrapeCounts;
      into.attempted += 1;
      if (inFlight.has(index)) return;
      inFlight.set(
        index,
        scrape(target, into).finally(() => inFlight.delete(index)),
      );
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);

  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight.values());
      return counts.map((entry) => ({ ...entry }));
    },
  };
}
