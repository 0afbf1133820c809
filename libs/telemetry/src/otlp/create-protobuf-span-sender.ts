import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from "@opentelemetry/otlp-exporter-base/node-http";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { EncodedSpanSender } from "./encoding-span-processor.js";

/** A request already encoded, and how many spans it holds (for the exporter's own counts). */
interface EncodedRequest {
  body: Uint8Array;
  spanCount: number;
}

/**
 * Sends encoded span batches with OTLP/HTTP protobuf through the OpenTelemetry exporter's own HTTP
 * delegate, the one its http/protobuf OTLPTraceExporter uses, with only the serializer replaced: so the
 * URL (`url`, else `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT` with its path rules), headers, timeout,
 * compression, retries with backoff and the partial-success response are handled exactly as there.
 */
export function createProtobufSpanSender(url?: string): EncodedSpanSender {
  const serializer = {
    serializeRequest: (request: EncodedRequest) => request.body,
    deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const exporter = new OTLPExporterBase(
    createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(url === undefined ? {} : { url }, "TRACES", "v1/traces", { "Content-Type": "application/x-protobuf" }),
      serializer,
      "otlp_http_span_exporter",
      { name: "span", countItems: (request: EncodedRequest) => request.spanCount },
      undefined,
    ),
  );
  return {
    send: (body, spanCount, done) => exporter.export({ body, spanCount }, done),
    shutdown: () => exporter.shutdown(),
  };
}
