import type { SpanExporter } from "@opentelemetry/sdk-trace-node";
import type { OtlpProtocol } from "./tracing-settings.js";

/**
 * The OTLP span exporter of a protocol, imported only when tracing is on. Without `url` each exporter
 * reads `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `_HEADERS`, `_TIMEOUT` and `_COMPRESSION` itself.
 */
export async function createSpanExporter(protocol: OtlpProtocol, url?: string): Promise<SpanExporter> {
  const config = url === undefined ? {} : { url };
  switch (protocol) {
    case "http/protobuf": {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
      return new OTLPTraceExporter(config);
    }
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
