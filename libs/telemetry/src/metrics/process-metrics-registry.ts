import { collectDefaultMetrics, Registry } from "prom-client";

let registry: Registry | undefined;

/**
 * The one Prometheus registry of this process, with prom-client's default Node.js and process metrics
 * (event-loop lag, CPU, memory, GC). Created on first use, so a process that records nothing pays nothing.
 * One per process rather than one per service instance: the messaging library records into it from deep
 * inside request/reply and consumers, and in production each service is its own process anyway. Tests
 * that run several services in one process see their series side by side in it.
 */
export function processMetricsRegistry(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
