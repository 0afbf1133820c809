import { describe, expect, it } from "vitest";
import type { TelemetryFigures } from "./bench-report.js";
import { formatTelemetryFigures } from "./format-telemetry-figures.js";

const healthy: TelemetryFigures = {
  enabled: true,
  protocol: "http/protobuf",
  spansReceived: 123_456,
  traceExports: 310,
  traceExportBytes: 3 * 1024 * 1024,
  rejectedExports: 0,
  scrapeIntervalMs: 1_000,
  scrapes: [
    { name: "ingress", attempted: 20, succeeded: 20 },
    { name: "router", attempted: 20, succeeded: 19 },
  ],
};

// Issue 12 ("telemetry is cheap"): the benchmark's table says whether telemetry was on and what it came
// to, so that a run with telemetry that silently exported nothing is not taken for one that did.
describe("formatTelemetryFigures", () => {
  it("says telemetry was off, and how to turn it on", () => {
    const off: TelemetryFigures = { enabled: false, protocol: "none", spansReceived: 0, traceExports: 0, traceExportBytes: 0, rejectedExports: 0, scrapeIntervalMs: 0, scrapes: [] };
    expect(formatTelemetryFigures(off)).toEqual(["Telemetry: off (BENCH_TELEMETRY=on exports every service's traces to a collector and scrapes its /metrics)"]);
  });

  it("shows the spans received and each service's scrapes when on", () => {
    expect(formatTelemetryFigures(healthy)).toEqual([
      "Telemetry: on; traces exported as OTLP http/protobuf to the run's collector, /metrics scraped every 1.0 s",
      "  spans received 123456 in 310 exports (3.0 MiB), 0 rejected",
      "  scrapes succeeded/attempted: ingress 20/20, router 19/20",
    ]);
  });

  it("warns when nothing was exported, exports were rejected, or a service was never scraped", () => {
    const lines = formatTelemetryFigures({ ...healthy, spansReceived: 0, traceExports: 0, rejectedExports: 4, scrapes: [...healthy.scrapes, { name: "billing", attempted: 20, succeeded: 0 }] });
    expect(lines.at(-1)).toBe("  WARNING: no span was received; 4 exports were rejected; no scrape of billing succeeded");
    expect(formatTelemetryFigures({ ...healthy, scrapes: [] }).at(-1)).toBe("  WARNING: nothing was scraped");
  });
});
