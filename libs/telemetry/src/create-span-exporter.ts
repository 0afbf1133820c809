import type { SpanExporter } from "@opentelemetry/sdk-trace-node";
import type { OtlpProtocol } from "./tracing-settings.js";

/**
 * The SDK's OTLP span exporter of http/json or grpc, imported only when tracing is on; http/protobuf goes
 * through the lean path (start-tracing-sdk.ts), not through an SDK exporter. Without `url` each exporter
 * reads `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `_HEADERS`, `_TIMEOUT` and `_COMPRESSION` itself.
 */
export async function createSpanExporter(protocol: Exclude<OtlpProtocol, "http/protobuf">, url?: string): Promise<SpanExporter> {
  const config = url === undefined ? {} : { url };
  switch (protocol) {
    case "http/json": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
      return new OTLPTraceExporter(config);
    }
    case "grpc": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-grpc");
      return new OTLPTraceExporter(config);
    }
  }
}
