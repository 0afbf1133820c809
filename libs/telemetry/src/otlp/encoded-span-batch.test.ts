import { SpanKind, SpanStatusCode, TraceFlags, context, trace, type Tracer } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { describe, expect, it } from "vitest";
import { otlpTraceRequest } from "../../../../test/support/otlp-trace-request-type.js";
import { EncodedSpanBatch } from "./encoded-span-batch.js";

function decode(body: Uint8Array | undefined): Record<string, unknown> {
  if (body === undefined) throw new Error("nothing was encoded");
  return otlpTraceRequest.toObject(otlpTraceRequest.decode(body), { longs: String, bytes: String, defaults: true });
}

function tracedSpans(record: (tracer: Tracer, otherTracer: Tracer) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "switchboard-ingress", "service.instance.id": "0b0b2c6e", "host.cores": 2 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  record(provider.getTracer("switchboard"), provider.getTracer("@opentelemetry/instrumentation-undici", "0.33.0"));
  return exporter.getFinishedSpans();
}

/** Every kind of field and value a span can carry, and two spans long enough to need multi-byte lengths. */
const everything = (tracer: Tracer, otherTracer: Tracer) => {
  const remoteParent = trace.setSpanContext(context.active(), {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "B7AD6B7169203331",
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState("vendor=value,other=1"),
  });
  const server = tracer.startSpan("POST /api/v1/chat/completions", { kind: SpanKind.SERVER, attributes: { "http.request.method": "POST", "http.response.status_code": 200 } }, remoteParent);
  const generation = tracer.startSpan("chat openai/gpt-4o-mini — “quoted” ünïcödé", { kind: SpanKind.INTERNAL }, trace.setSpan(context.active(), server));
  generation.setAttributes({
    "gen_ai.usage.input_tokens": 12,
    "switchboard.negative": -5,
    "switchboard.most_negative": -(2 ** 53) + 1,
    "switchboard.large": 2 ** 40,
    "switchboard.ratio": 0.25,
    "switchboard.negative_ratio": -1.5,
    "switchboard.flag": true,
    "switchboard.off": false,
    "gen_ai.response.finish_reasons": ["stop", "length"],
    "switchboard.counts": [1, 2, 3],
    "switchboard.mixed_nulls": ["a", null, "b"],
    "switchboard.flags": [true, false],
    "switchboard.empty": "",
    "switchboard.long": "x".repeat(300),
    "switchboard.longer": "y".repeat(20_000),
  });
  generation.addEvent("gen_ai.first_token", { "gen_ai.time_to_first_token_ms": 42 });
  generation.addEvent("plain event");
  generation.addLink({ context: server.spanContext(), attributes: { "link.reason": "batch" } });
  generation.addLink({ context: trace.getSpanContext(remoteParent)! });
  generation.setStatus({ code: SpanStatusCode.ERROR, message: "upstream_timeout" });
  generation.end();
  server.setStatus({ code: SpanStatusCode.OK });
  server.end();
  const client = otherTracer.startSpan("POST", { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), server));
  client.end();
  for (const kind of [SpanKind.PRODUCER, SpanKind.CONSUMER]) tracer.startSpan(`kind ${kind}`, { kind }).end();
};

describe("EncodedSpanBatch", () => {
  it("encodes what the OpenTelemetry exporter's serializer does, field for field, decoded with the OTLP schema", () => {
    const spans = tracedSpans(everything);
    const batch = new EncodedSpanBatch();
    for (const span of spans) batch.add(span);
    expect(batch.count).toBe(spans.length);
    const ours = decode(batch.take());
    const theirs = decode(ProtobufTraceSerializer.serializeRequest(spans));
    expect(ours).toEqual(theirs);
    // And the comparison is not between two empty things.
    const scopeSpans = (ours["resourceSpans"] as Array<{ scopeSpans: Array<{ scope: { name: string }; spans: unknown[] }> }>)[0]?.scopeSpans;
    expect(scopeSpans?.map((scope) => [scope.scope.name, scope.spans.length])).toEqual([
      ["switchboard", 4],
      ["@opentelemetry/instrumentation-undici", 1],
    ]);
  });

  it("keeps each span's exact start and end nanoseconds", () => {
    const [span] = tracedSpans((tracer) => tracer.startSpan("timed", { startTime: [1_764_590_400, 123_456_789] }).end([1_764_590_401, 999_999_999]));
    const batch = new EncodedSpanBatch();
    batch.add(span!);
    const decoded = decode(batch.take()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ startTimeUnixNano: string; endTimeUnixNano: string }> }> }> };
    expect(decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0]).toMatchObject({ startTimeUnixNano: "1764590400123456789", endTimeUnixNano: "1764590401999999999" });
  });

  it("is empty after take(), and a later batch holds only the spans added since", () => {
    const spans = tracedSpans(everything);
    const batch = new EncodedSpanBatch();
    expect(batch.take()).toBeUndefined();
    for (const span of spans) batch.add(span);
    batch.take();
    expect(batch.count).toBe(0);
    expect(batch.take()).toBeUndefined();
    batch.add(spans[0]!);
    expect(decode(batch.take())).toEqual(decode(ProtobufTraceSerializer.serializeRequest([spans[0]!])));
  });
});
