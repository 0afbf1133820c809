import { LabelledChildren } from "./labelled-children.js";
import { metricNames } from "./metric-names.js";
import { PreboundCounter, type PreboundCounterChild } from "./prebound-counter.js";
import { PreboundHistogram, type PreboundHistogramChild } from "./prebound-histogram.js";
import { processMetricsRegistry } from "./process-metrics-registry.js";

/** Seconds: from a cached `/models` answer (well under a millisecond) to a long generation. */
const httpDurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface HttpChildren {
  requests: PreboundCounterChild;
  duration: PreboundHistogramChild;
}

/** `switchboard_http_requests_total` and `switchboard_http_request_duration_seconds`, by route pattern, method and status. */
export class HttpMetrics {
  private readonly children: LabelledChildren<HttpChildren>;

  constructor() {
    const registry = processMetricsRegistry();
    const labelNames = ["route", "method", "status"];
    const requests = new PreboundCounter(metricNames.httpRequests, "HTTP requests, by route pattern, method and status (499: the client went away before the response ended).", labelNames, registry);
    const duration = new PreboundHistogram(
      metricNames.httpRequestDuration,
      "Seconds from an HTTP request's arrival to the end of its response (or the client going away), by route pattern, method and status.",
      labelNames,
      httpDurationBuckets,
      registry,
    );
    this.children = new LabelledChildren((values) => ({ requests: requests.child(values), duration: duration.child(values) }));
  }

  /**
   * One answered request. `route` must be the route pattern (`/api/v1/generation`), never the URL: a URL
   * carries ids and query strings, which would make a series per request.
   */
  record(route: string, method: string, status: number, durationSeconds: number): void {
    const children = this.children.of3(route, method, status);
    children.requests.inc();
    children.duration.observe(durationSeconds);
  }
}

let instance: HttpMetrics | undefined;

/** This process's HTTP metrics, registered on first use. */
export function httpMetrics(): HttpMetrics {
  instance ??= new HttpMetrics();
  return instance;
}
