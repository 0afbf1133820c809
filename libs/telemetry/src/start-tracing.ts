/**
 * Loaded before a service's own code with `node --import @switchboard/telemetry/start-tracing` (the
 * launcher, the process tests, the benchmark and the Docker image all do). It reads the standard `OTEL_*`
 * variables here, the one place outside a service's config.ts, because the SDK must exist before any
 * module that could create a span is loaded. Without an OTLP endpoint it returns having imported nothing
 * of the SDK: the OTel API then stays a no-op.
 */
import { readTracingSettings } from "./tracing-settings.js";

const settings = readTracingSettings(process.env, process.argv[1]);
if (settings !== null) {
  const { startTracingSdk } = await import("./start-tracing-sdk.js");
  await startTracingSdk(settings);
}
