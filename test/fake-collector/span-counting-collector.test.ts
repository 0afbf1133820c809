import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countSpansInProtobuf, OtlpDecodeError } from "./count-otlp-spans.js";
import { startSpanCountingCollector, type SpanCountingCollector } from "./span-counting-collector.js";

/** Sends `spans` spans of two tracers (two scopes of one resource) through `exporter`, as a service's SDK would. */
async function exportSpans(exporter: SpanExporter, spans: number): Promise<void> {
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 7 })] });
  const first = provider.getTracer("first");
  const second = provider.getTracer("second");
  for (let index = 0; index < spans; index += 1) {
    const span = (index % 2 === 0 ? first : second).startSpan(`span ${index}`, { attributes: { "gen_ai.usage.input_tokens": index } });
    span.addEvent("gen_ai.first_token");
    span.end();
  }
  await provider.forceFlush();
  await provider.shutdown();
}

// The benchmark's collector with BENCH_TELEMETRY=on (issue 12, "telemetry is cheap"): the report says how
// many spans arrived, so a run that silently exported nothing is visible. Counted here from the real
// exporters the services use, in each protocol and compressed.
describe("the span-counting collector", () => {
  let collector: SpanCountingCollector;

  beforeEach(async () => {
    collector = await startSpanCountingCollector();
  });
  afterEach(async () => {
    await collector.close();
  });

  it("counts every span of http/protobuf exports, batched", async () => {
    await exportSpans(new ProtobufTraceExporter({ url: `${collector.url}/v1/traces` }), 23);
    const counts = collector.counts();
    expect(counts).toMatchObject({ spans: 23, rejected: 0 });
    expect(counts.exports, "batches of at most 7").toBeGreaterThanOrEqual(4);
    expect(counts.bytes).toBeGreaterThan(0);
  });

  it("counts every span of http/json exports", async () => {
    await exportSpans(new JsonTraceExporter({ url: `${collector.url}/v1/traces` }), 9);
    expect(collector.counts()).toMatchObject({ spans: 9, rejected: 0 });
  });

  it("counts gzip-compressed exports", async () => {
    await exportSpans(new ProtobufTraceExporter({ url: `${collector.url}/v1/traces`, compression: CompressionAlgorithm.GZIP }), 5);
    expect(collector.counts()).toMatchObject({ spans: 5, rejected: 0 });
  });

  it("answers its counts on GET /counts, as the benchmark reads them from its process", async () => {
    await exportSpans(new ProtobufTraceExporter({ url: `${collector.url}/v1/traces` }), 3);
    const response = await fetch(`${collector.url}/counts`);
    expect(await response.json()).toEqual(collector.counts());
  });

  it("rejects what is not a trace export, and counts it apart", async () => {
    const garbage = await fetch(`${collector.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: new Uint8Array([0x0a, 0x05, 0x12]) });
    expect(garbage.status).toBe(400);
    const metrics = await fetch(`${collector.url}/v1/metrics`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: new Uint8Array() });
    expect(metrics.status).toBe(404);
    const text = await fetch(`${collector.url}/v1/traces`, { method: "POST", headers: { "content-type": "text/plain" }, body: "spans" });
    expect(text.status).toBe(415);
    expect(collector.counts()).toEqual({ exports: 0, spans: 0, bytes: 0, rejected: 3 });
  });
});

describe("countSpansInProtobuf", () => {
  it("counts nothing in an empty export", () => {
    expect(countSpansInProtobuf(new Uint8Array())).toBe(0);
  });

  it("refuses a length that runs past the end", () => {
    expect(() => countSpansInProtobuf(new Uint8Array([0x0a, 0x05, 0x12]))).toThrow(OtlpDecodeError);
  });
});
