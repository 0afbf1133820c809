import { Counter } from "prom-client";
import { LabelledChildren } from "./labelled-children.js";
import { metricNames, type UpstreamErrorClass } from "./metric-names.js";
import { processMetricsRegistry } from "./process-metrics-registry.js";

/** `switchboard_upstream_errors_total`: the provider connector's failed upstream calls, by provider and class. */
export class UpstreamErrorMetrics {
  private readonly children: LabelledChildren<{ inc(): void }>;

  constructor() {
    const errors = new Counter({
      name: metricNames.upstreamErrors,
      help: "Upstream calls that failed, by catalog provider id and class (rate_limited, server, timeout, network, auth, client).",
      labelNames: ["provider", "class"] as const,
      registers: [processMetricsRegistry()],
    });
    this.children = new LabelledChildren(([provider = "", errorClass = ""]) => errors.labels(provider, errorClass));
  }

  record(provider: string, errorClass: UpstreamErrorClass): void {
    this.children.of2(provider, errorClass).inc();
  }
}

let instance: UpstreamErrorMetrics | undefined;

/** This process's upstream error counter, registered on first use. */
export function upstreamErrorMetrics(): UpstreamErrorMetrics {
  instance ??= new UpstreamErrorMetrics();
  return instance;
}
