import perfHooks from "node:perf_hooks";
import { afterEach, describe, expect, it, vi } from "vitest";

describe("processMetricsRegistry", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("samples the event-loop delay ten times a second rather than prom-client's hundred, and still reports the lag", async () => {
    const monitor = vi.spyOn(perfHooks, "monitorEventLoopDelay");
    // A module of its own, so the registry is made here whatever other tests of this worker made before.
    vi.resetModules();
    const { eventLoopSamplingMs, processMetricsRegistry } = await import("./process-metrics-registry.js");
    const registry = processMetricsRegistry();
    expect(monitor).toHaveBeenCalledWith({ resolution: eventLoopSamplingMs });
    expect(eventLoopSamplingMs).toBeGreaterThanOrEqual(100);
    const names = (await registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names).toEqual(expect.arrayContaining(["nodejs_eventloop_lag_seconds", "nodejs_eventloop_lag_p99_seconds", "process_cpu_seconds_total"]));
  });
});
