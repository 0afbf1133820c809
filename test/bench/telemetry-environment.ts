/** The OTLP protocols the span-counting collector decodes. */
export type ExportProtocol = "http/protobuf" | "http/json";

export interface TelemetryEnvironmentSettings {
  /** The collector's `http://<host>:<port>`; the exporter appends `/v1/traces`. */
  collectorUrl: string;
  protocol: ExportProtocol;
}

/**
 * The benchmark's own environment as the services should inherit it with BENCH_TELEMETRY=on: tracing on
 * (libs/telemetry/src/tracing-settings.ts turns it on when an OTLP endpoint is set) and exporting to the
 * run's collector, and operations listeners on loopback only. The per-signal `OTEL_EXPORTER_OTLP_TRACES_*`
 * variables and `OTEL_SDK_DISABLED` would override or cancel the endpoint, so whatever the shell had for
 * them is dropped; the other `OTEL_*` (batch sizes, sampler) pass through, as they would in a deployment.
 */
export function telemetryEnvironment(inherited: Readonly<Record<string, string | undefined>>, settings: TelemetryEnvironmentSettings): Record<string, string | undefined> {
  const environment: Record<string, string | undefined> = { ...inherited };
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_SDK_DISABLED"]) delete environment[name];
  environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = settings.collectorUrl;
  environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = settings.protocol;
  environment["OPERATIONS_HOST"] = "127.0.0.1";
  return environment;
}
