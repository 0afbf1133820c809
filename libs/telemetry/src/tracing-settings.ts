import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { enabledLibraryInstrumentations, type LibraryInstrumentationName } from "./library-instrumentation-names.js";

/** The OTLP protocols of `OTEL_EXPORTER_OTLP_PROTOCOL` (https://opentelemetry.io/docs/specs/otel/protocol/exporter/). */
export const otlpProtocols = ["http/protobuf", "http/json", "grpc"] as const;
export type OtlpProtocol = (typeof otlpProtocols)[number];

/** What the tracing SDK of one service starts with; null from readTracingSettings means tracing is off. */
export interface TracingSettings {
  protocol: OtlpProtocol;
  /** Where spans go; absent, the exporter reads `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT` itself (with its path rules). */
  url?: string;
  serviceName: string;
  serviceVersion: string;
  serviceInstanceId: string;
  /** The undici and pg instrumentations to turn on (`OTEL_NODE_ENABLED_INSTRUMENTATIONS`, `OTEL_NODE_DISABLED_INSTRUMENTATIONS`). */
  instrumentations: LibraryInstrumentationName[];
}

/**
 * Tracing settings from the standard `OTEL_*` variables, or null when tracing is off: it is on only when
 * an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and
 * `OTEL_SDK_DISABLED` is not `true`, so `npm start` without them starts no SDK at all. The service name
 * is `OTEL_SERVICE_NAME`, else `switchboard-<service>` from the entry point `services/<service>/dist/main.js`;
 * the version is that service's package.json version.
 */
export function readTracingSettings(environment: NodeJS.ProcessEnv, entryPoint: string | undefined): TracingSettings | null {
  const endpoint = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] || environment["OTEL_EXPORTER_OTLP_ENDPOINT"];
  if (!endpoint || environment["OTEL_SDK_DISABLED"]?.trim().toLowerCase() === "true") return null;
  const requested = (environment["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] || environment["OTEL_EXPORTER_OTLP_PROTOCOL"] || "http/protobuf").trim();
  if (!(otlpProtocols as readonly string[]).includes(requested)) {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${otlpProtocols.join(", ")}; got "${requested}"`);
  }
  const service = serviceOfEntryPoint(entryPoint);
  return {
    protocol: requested as OtlpProtocol,
    serviceName: environment["OTEL_SERVICE_NAME"] || `switchboard-${service ?? "unknown"}`,
    serviceVersion: service && entryPoint ? packageVersionBeside(entryPoint) : "unknown",
    serviceInstanceId: randomUUID(),
    instrumentations: enabledLibraryInstrumentations(environment),
  };
}

/** `ingress` of `…/services/ingress/dist/main.js`; undefined for anything else. */
export function serviceOfEntryPoint(entryPoint: string | undefined): string | undefined {
  if (!entryPoint) return undefined;
  const parts = path.resolve(entryPoint).split(path.sep);
  const index = parts.lastIndexOf("services");
  return index !== -1 && index + 1 < parts.length - 1 ? parts[index + 1] : undefined;
}

/** The version in the package.json above `dist/`, or "unknown". */
function packageVersionBeside(entryPoint: string): string {
  try {
    const manifest: unknown = JSON.parse(readFileSync(path.resolve(path.dirname(entryPoint), "..", "package.json"), "utf8"));
    const version = typeof manifest === "object" && manifest !== null && "version" in manifest ? manifest.version : undefined;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}
