import type { InstrumentationScope } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { encodeOtlpSpan } from "./encode-otlp-span.js";
import { ProtobufWriter, wireType } from "./protobuf-writer.js";
import { writeOtlpAttributes } from "./write-otlp-attributes.js";

/** trace_service.proto's ExportTraceServiceRequest and trace.proto's ResourceSpans and ScopeSpans; common.proto's InstrumentationScope; resource.proto's Resource. */
const requestField = { resourceSpans: 1 } as const;
const resourceSpansField = { resource: 1, scopeSpans: 2, schemaUrl: 3 } as const;
const scopeSpansField = { scope: 1, spans: 2, schemaUrl: 3 } as const;
const scopeField = { name: 1, version: 2 } as const;
const resourceField = { attributes: 1 } as const;

interface ScopeSpans {
  readonly scope: InstrumentationScope;
  /** Its spans so far, each a whole `ScopeSpans.spans` field. */
  readonly spans: ProtobufWriter;
}

/**
 * Finished spans, encoded as OTLP protobuf the moment they are added, waiting to go out as one
 * ExportTraceServiceRequest. A span is encoded while its fields are still in the CPU's caches and
 * dropped at once, rather than kept (perhaps promoted to the old generation, and read again) until its
 * batch is exported; the encoding takes half the time of the SDK serializer's. (Issue 12: in the whole
 * stack the difference is within the telemetry comparison's noise; the spans themselves, and what is
 * paid with nothing sampled, cost more than their export.)
 *
 * Spans are grouped by instrumentation scope; one tracer provider has one resource, taken from the
 * first span.
 */
export class EncodedSpanBatch {
  private readonly scopes = new Map<InstrumentationScope, ScopeSpans>();
  private resource: Resource | undefined;
  /** Spans added since the last `take()`. */
  count = 0;

  add(span: ReadableSpan): void {
    this.resource ??= span.resource;
    let scopeSpans = this.scopes.get(span.instrumentationScope);
    if (scopeSpans === undefined) {
      scopeSpans = { scope: span.instrumentationScope, spans: new ProtobufWriter(16 * 1024) };
      this.scopes.set(span.instrumentationScope, scopeSpans);
    }
    encodeOtlpSpan(scopeSpans.spans, span, scopeSpansField.spans);
    this.count++;
  }

  /** The request body of every span added since the last call, or undefined if there is none; the batch is then empty. */
  take(): Uint8Array | undefined {
    if (this.count === 0 || this.resource === undefined) return undefined;
    const writer = new ProtobufWriter(64 + [...this.scopes.values()].reduce((size, scopeSpans) => size + scopeSpans.spans.position + 256, 512));
    const resourceSpans = writer.startMessage(requestField.resourceSpans);
    const resource = writer.startMessage(resourceSpansField.resource);
    writeOtlpAttributes(writer, this.resource.attributes, resourceField.attributes);
    writer.endMessage(resource);
    for (const { scope, spans } of this.scopes.values()) {
      if (spans.position === 0) continue;
      const scopeSpans = writer.startMessage(resourceSpansField.scopeSpans);
      const scopeMessage = writer.startMessage(scopeSpansField.scope);
      writer.tag(scopeField.name, wireType.lengthDelimited);
      writer.string(scope.name);
      if (scope.version) {
        writer.tag(scopeField.version, wireType.lengthDelimited);
        writer.string(scope.version);
      }
      writer.endMessage(scopeMessage);
      writer.raw(spans.view());
      spans.truncate(0);
      if (scope.schemaUrl) {
        writer.tag(scopeSpansField.schemaUrl, wireType.lengthDelimited);
        writer.string(scope.schemaUrl);
      }
      writer.endMessage(scopeSpans);
    }
    if (this.resource.schemaUrl) {
      writer.tag(resourceSpansField.schemaUrl, wireType.lengthDelimited);
      writer.string(this.resource.schemaUrl);
    }
    writer.endMessage(resourceSpans);
    this.count = 0;
    return writer.view();
  }
}
