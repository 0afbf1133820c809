import type { TelemetryFigures } from "./bench-report.js";

const mebibyte = 1024 * 1024;

/**
 * The telemetry lines of the benchmark's table: off, or what the collector received and how each
 * service's scrapes went, with a WARNING line when nothing was exported or a service was never scraped,
 * since the figures of such a run would not be those of telemetry at work.
 */
export function formatTelemetryFigures(figures: TelemetryFigures): string[] {
  if (!figures.enabled) return ["Telemetry: off (BENCH_TELEMETRY=on exports every service's traces to a collector and scrapes its /metrics)"];
  const lines = [
    `Telemetry: on; traces exported as OTLP ${figures.protocol} to the run's collector, /metrics scraped every ${(figures.scrapeIntervalMs / 1000).toFixed(1)} s`,
    `  spans received ${figures.spansReceived} in ${figures.traceExports} exports (${(figures.traceExportBytes / mebibyte).toFixed(1)} MiB), ${figures.rejectedExports} rejected`,
    `  scrapes succeeded/attempted: ${figures.scrapes.map((scrape) => `${scrape.name} ${scrape.succeeded}/${scrape.attempted}`).join(", ")}`,
  ];
  const problems: string[] = [];
  if (figures.spansReceived === 0) problems.push("no span was received");
  if (figures.rejectedExports > 0) problems.push(`${figures.rejectedExports} exports were rejected`);
  const neverScraped = figures.scrapes.filter((scrape) => scrape.succeeded === 0).map((scrape) => scrape.name);
  if (figures.scrapes.length === 0) problems.push("nothing was scraped");
  else if (neverScraped.length > 0) problems.push(`no scrape of ${neverScraped.join(", ")} succeeded`);
  if (problems.length > 0) lines.push(`  WARNING: ${problems.join("; ")}`);
  return lines;
}
