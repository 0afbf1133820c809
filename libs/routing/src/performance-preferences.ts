import { performancePercentileNames, type EndpointHealth, type PerformancePercentiles, type ProviderPreferences } from "@switchboard/contracts";

/** `provider.preferred_max_latency` / `preferred_min_throughput` as the client sent them: a p50 value or some percentiles. */
export type PercentileThreshold = NonNullable<ProviderPreferences["preferred_max_latency"]>;

/** The soft performance preferences of a request (OpenRouter's `preferred_*`). */
export interface PerformancePreferences {
  /** Seconds of time to first token, as OpenRouter takes it. */
  readonly maximumLatency?: PercentileThreshold | undefined;
  /** Output tokens per second. */
  readonly minimumThroughput?: PercentileThreshold | undefined;
}

/**
 * True when an endpoint's measured figures miss one of the request's thresholds: a latency percentile
 * above its maximum or a throughput percentile below its minimum, over the router's last 5 minutes (the
 * window OpenRouter judges them by). A bare number is the p50. A percentile the router has not measured
 * misses nothing: an endpoint without traffic is not penalised for it. Ranking moves the endpoints that
 * miss after those that do not; it never drops them. Undefined when the request states no preference, so
 * most requests pay nothing for this.
 */
export function createPerformanceMissCheck(preferences: PerformancePreferences): ((health: EndpointHealth | undefined) => boolean) | undefined {
  const maximumLatency = percentilesOf(preferences.maximumLatency);
  const minimumThroughput = percentilesOf(preferences.minimumThroughput);
  if (maximumLatency.length === 0 && minimumThroughput.length === 0) return undefined;
  return (health) => {
    if (health === undefined) return false;
    for (const [name, seconds] of maximumLatency) {
      const milliseconds = figureOf(health.latencyLast5Minutes, name, health.latencyP50Milliseconds);
      if (milliseconds !== null && milliseconds / 1000 > seconds) return true;
    }
    for (const [name, tokensPerSecond] of minimumThroughput) {
      const measured = figureOf(health.throughputLast5Minutes, name, health.throughputP50TokensPerSecond);
      if (measured !== null && measured < tokensPerSecond) return true;
    }
    return false;
  };
}

type PercentileName = keyof PerformancePercentiles;

function percentilesOf(threshold: PercentileThreshold | undefined): [PercentileName, number][] {
  if (threshold === undefined) return [];
  if (typeof threshold === "number") return [["p50", threshold]];
  return performancePercentileNames.flatMap((name) => (threshold[name] === undefined ? [] : [[name, threshold[name]] as [PercentileName, number]]));
}

/** A router that predates the percentiles publishes only the median: the p50 falls back on it. */
function figureOf(percentiles: PerformancePercentiles | null | undefined, name: PercentileName, median: number | null): number | null {
  if (percentiles) return percentiles[name];
  return name === "p50" ? median : null;
}
