import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { suppressTracing, TraceState } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, type ReadableSpan, type Sampler, type SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { otlpTraceRequest } from "../../../../test/support/otlp-trace-request-type.js";
import { EncodedSpanBatch } from "../otlp/encoded-span-batch.js";
import { LeanTracerProvider } from "./lean-tracer-provider.js";
import type { SpanLimits } from "./span-limits.js";

const unlimited: SpanLimits = { attributeCount: 128, attributeValueLength: Number.POSITIVE_INFINITY, eventCount: 128, linkCount: 128 };

function tracerWith(options: { sampler?: Sampler; limits?: SpanLimits } = {}) {
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => ended.push(span),
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  const provider = new LeanTracerProvider(
    resourceFromAttributes({ "service.name": "switchboard-test" }),
    processor,
    options.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    options.limits ?? unlimited,
  );
  return { tracer: provider.getTracer("switchboard", "1.0.0"), ended, provider };
}

const sampledParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new TraceState("vendor=value"),
});

describe("LeanTracerProvider", () => {
  // As startTracingSdk registers it: startActiveSpan and the parent of a span need an active context.
  beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  afterAll(() => context.disable());

  it("records a sampled span and hands it to the processor once, at its end, with what the encoder reads", () => {
    const { tracer, ended } = tracerWith();
    const link = { context: trace.getSpanContext(sampledParent)!, attributes: { "link.reason": "batch" } };
    const span = tracer.startSpan("chat openai/gpt-4o", { kind: SpanKind.CLIENT, attributes: { "gen_ai.system": "openai" }, links: [link] }, ROOT_CONTEXT);
    span.setAttribute("gen_ai.usage.input_tokens", 12).setAttributes({ "gen_ai.response.finish_reasons": ["stop"], skipped: undefined });
    span.addEvent("gen_ai.first_token", { "gen_ai.time_to_first_token_ms": 42 });
    span.setStatus({ code: SpanStatusCode.ERROR, message: "upstream_timeout" });
    span.updateName("chat openai/gpt-4o-2024");
    expect(span.isRecording()).toBe(true);
    span.end();
    span.end();
    span.setAttribute("after", "end");
    expect(span.isRecording()).toBe(false);
    expect(ended).toHaveLength(1);
    const recorded = ended[0]!;
    expect(recorded).toMatchObject({
      name: "chat openai/gpt-4o-2024",
      kind: SpanKind.CLIENT,
      attributes: { "gen_ai.system": "openai", "gen_ai.usage.input_tokens": 12, "gen_ai.response.finish_reasons": ["stop"] },
      links: [link],
      status: { code: SpanStatusCode.ERROR, message: "upstream_timeout" },
      instrumentationScope: { name: "switchboard", version: "1.0.0" },
      parentSpanContext: undefined,
    });
    expect(recorded.events).toMatchObject([{ name: "gen_ai.first_token", attributes: { "gen_ai.time_to_first_token_ms": 42 } }]);
    expect(recorded.spanContext()).toMatchObject({ traceId: expect.stringMatching(/^[0-9a-f]{32}$/), spanId: expect.stringMatching(/^[0-9a-f]{16}$/), traceFlags: TraceFlags.SAMPLED });
    expect(recorded.resource.attributes["service.name"]).toBe("switchboard-test");
  });

  it("encodes to OTLP with its times in order: start, event, end", () => {
    const { tracer, ended } = tracerWith();
    const span = tracer.startSpan("timed", {}, ROOT_CONTEXT);
    span.addEvent("middle");
    span.end();
    const batch = new EncodedSpanBatch();
    batch.add(ended[0]!);
    const decoded = otlpTraceRequest.toObject(otlpTraceRequest.decode(batch.take()!), { longs: String }) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; startTimeUnixNano: string; endTimeUnixNano: string; events: Array<{ timeUnixNano: string }> }> }> }>;
    };
    const encoded = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(encoded.name).toBe("timed");
    const [start, event, end] = [encoded.startTimeUnixNano, encoded.events[0]!.timeUnixNano, encoded.endTimeUnixNano].map(BigInt);
    expect(start! <= event! && event! <= end!).toBe(true);
    // Within a minute of the wall clock, in nanoseconds.
    expect(Number(start! / 1_000_000n) - Date.now()).toBeGreaterThan(-60_000);
  });

  it("continues a sampled parent's trace and trace state; an unsampled parent's child records nothing, in the same trace", () => {
    const { tracer, ended } = tracerWith();
    const child = tracer.startSpan("child", {}, sampledParent);
    expect(child.spanContext()).toMatchObject({ traceId: "0af7651916cd43dd8448eb211c80319c", traceFlags: TraceFlags.SAMPLED });
    expect(child.spanContext().traceState?.serialize()).toBe("vendor=value");
    child.end();
    expect(ended[0]?.parentSpanContext).toMatchObject({ spanId: "b7ad6b7169203331", isRemote: true });

    const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, { traceId: "1af7651916cd43dd8448eb211c80319c", spanId: "c7ad6b7169203331", traceFlags: TraceFlags.NONE });
    const notRecorded = tracer.startSpan("not recorded", {}, unsampledParent);
    expect(notRecorded.isRecording()).toBe(false);
    expect(notRecorded.spanContext()).toMatchObject({ traceId: "1af7651916cd43dd8448eb211c80319c", traceFlags: TraceFlags.NONE });
    expect(notRecorded.spanContext().spanId).not.toBe("c7ad6b7169203331");
    notRecorded.end();
    expect(ended).toHaveLength(1);
  });

  it("starts a new trace for root: true, and records nothing where tracing is suppressed", () => {
    const { tracer } = tracerWith();
    const root = tracer.startSpan("root", { root: true }, sampledParent);
    expect(root.spanContext().traceId).not.toBe("0af7651916cd43dd8448eb211c80319c");
    expect((root as unknown as ReadableSpan).parentSpanContext).toBeUndefined();
    const suppressed = tracer.startSpan("suppressed", {}, suppressTracing(sampledParent));
    expect(suppressed.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(suppressed.spanContext())).toBe(false);
  });

  it("samples as its sampler decides: nothing with always_off, the parent's decision with parent-based ones", () => {
    const off = tracerWith({ sampler: new AlwaysOffSampler() });
    const span = off.tracer.startSpan("off", {}, ROOT_CONTEXT);
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
    const parentBasedOff = tracerWith({ sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) });
    expect(parentBasedOff.tracer.startSpan("root", {}, ROOT_CONTEXT).isRecording()).toBe(false);
    expect(parentBasedOff.tracer.startSpan("child of sampled", {}, sampledParent).isRecording()).toBe(true);
  });

  it("keeps the SDK's limits and rules for attributes, events, links and status", () => {
    const { tracer, ended } = tracerWith({ limits: { attributeCount: 2, attributeValueLength: 5, eventCount: 1, linkCount: 1 } });
    const values = ["a", "b"];
    const span = tracer.startSpan("limited", {}, ROOT_CONTEXT);
    span.setAttribute("long", "0123456789").setAttribute("array", values).setAttribute("third", 3).setAttribute("long", "again and again");
    span.setAttribute("invalid", { nested: true } as unknown as string);
    values.push("changed later");
    span.addEvent("first").addEvent("second");
    span.addLink({ context: trace.getSpanContext(sampledParent)! }).addLink({ context: trace.getSpanContext(sampledParent)! });
    span.setStatus({ code: SpanStatusCode.OK, message: "ignored with OK" });
    span.setStatus({ code: SpanStatusCode.ERROR, message: "too late: OK is final" });
    span.end();
    expect(ended[0]).toMatchObject({
      attributes: { long: "again", array: ["a", "b"] },
      droppedAttributesCount: 1,
      droppedEventsCount: 1,
      droppedLinksCount: 1,
      status: { code: SpanStatusCode.OK },
    });
    expect(ended[0]?.status.message).toBeUndefined();
    expect(ended[0]?.events.map((event) => event.name)).toEqual(["first"]);
  });

  it("records an exception as the SDK does: type (or code), message and stack", () => {
    const { tracer, ended } = tracerWith();
    const span = tracer.startSpan("failing", {}, ROOT_CONTEXT);
    span.recordException(Object.assign(new Error("connect refused"), { code: "ECONNREFUSED" }));
    span.recordException("plain message");
    span.end();
    expect(ended[0]?.events.map((event) => event.attributes)).toEqual([
      { "exception.type": "ECONNREFUSED", "exception.message": "connect refused", "exception.stacktrace": expect.stringContaining("connect refused") },
      { "exception.message": "plain message" },
    ]);
  });

  it("runs startActiveSpan's function with the span active, in each of its forms, and returns its result", () => {
    const { tracer } = tracerWith();
    const activeName = (span: Span) => [trace.getActiveSpan() === span, span.spanContext().traceId] as const;
    expect(tracer.startActiveSpan("one", activeName)[0]).toBe(true);
    expect(tracer.startActiveSpan("two", { kind: SpanKind.SERVER }, activeName)[0]).toBe(true);
    const [active, traceId] = tracer.startActiveSpan("three", {}, sampledParent, activeName);
    expect(active).toBe(true);
    expect(traceId).toBe("0af7651916cd43dd8448eb211c80319c");
  });

  it("gives one tracer per name, version and schema URL", () => {
    const { provider } = tracerWith();
    expect(provider.getTracer("a", "1")).toBe(provider.getTracer("a", "1"));
    expect(provider.getTracer("a", "1")).not.toBe(provider.getTracer("a", "2"));
  });
});
