import { headers as createHeaders } from "@nats-io/transport-node";
import { createTraceState, defaultTextMapSetter, INVALID_SPAN_CONTEXT, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-node";
import { messagingOperationTypes } from "@switchboard/telemetry";
import { afterEach, describe, expect, it } from "vitest";
import { startTracingSdk } from "../../telemetry/src/start-tracing-sdk.js";
import type { Tracing } from "../../telemetry/src/running-tracing.js";
import { startMessagingSpan } from "./messaging-span.js";
import { extractTraceContext, injectSpanTraceContext, injectTraceContext } from "./trace-context-headers.js";

const remoteParent = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  traceFlags: TraceFlags.SAMPLED,
  traceState: createTraceState("vendor=opaque"),
};

describe("trace context in NATS headers", () => {
  let tracing: Tracing | undefined;

  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  const startTracing = async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracingSdk({ protocol: "http/json", serviceName: "test", serviceVersion: "0", serviceInstanceId: "0", instrumentations: ["undici", "pg"] }, exporter);
    return exporter;
  };

  it("with tracing off: no span, no headers allocated, given headers untouched, nothing extracted", () => {
    const span = startMessagingSpan({ kind: SpanKind.PRODUCER, operationType: messagingOperationTypes.send, operationName: "publish", subject: "sb.facts" });
    expect(span.isRecording()).toBe(false);
    expect(injectTraceContext(undefined, trace.setSpanContext(ROOT_CONTEXT, remoteParent))).toBeUndefined();
    const given = createHeaders();
    given.set("Nats-Msg-Id", "gen-1");
    expect(injectTraceContext(given)).toBe(given);
    expect(given.keys()).toEqual(["Nats-Msg-Id"]);
  });

  it("writes traceparent and tracestate of the context, into the given headers, keeping theirs", async () => {
    await startTracing();
    const given = createHeaders();
    given.set("Nats-Msg-Id", "gen-1");
    const written = injectTraceContext(given, trace.setSpanContext(ROOT_CONTEXT, remoteParent));
    expect(written).toBe(given);
    expect(given.get("traceparent")).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    expect(given.get("tracestate")).toBe("vendor=opaque");
    expect(given.get("Nats-Msg-Id")).toBe("gen-1");
  });

  it("writes of a span what OpenTelemetry's W3C propagator writes of a context holding it, without that context", async () => {
    const spanContexts = [
      remoteParent,
      { ...remoteParent, traceFlags: TraceFlags.NONE, traceState: undefined },
      { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED, traceState: createTraceState("a=1,b=2") },
    ];
    expect(injectSpanTraceContext(undefined, trace.wrapSpanContext(remoteParent)), "tracing off: nothing").toBeUndefined();
    await startTracing();
    for (const spanContext of spanContexts) {
      const expected: Record<string, string> = {};
      new W3CTraceContextPropagator().inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), expected, defaultTextMapSetter);
      const written = injectSpanTraceContext(undefined, trace.wrapSpanContext(spanContext));
      expect(Object.fromEntries((written?.keys() ?? []).map((key) => [key, written?.get(key)]))).toEqual(expected);
    }
    const given = createHeaders();
    given.set("Nats-Msg-Id", "gen-1");
    expect(injectSpanTraceContext(given, trace.wrapSpanContext(remoteParent))).toBe(given);
    expect(given.keys()).toEqual(["Nats-Msg-Id", "traceparent", "tracestate"]);
    // A span that records nothing for want of a valid context (tracing suppressed) carries nothing.
    expect(injectSpanTraceContext(undefined, trace.wrapSpanContext(INVALID_SPAN_CONTEXT))).toBeUndefined();
  });

  it("allocates headers only when there is a span to carry", async () => {
    await startTracing();
    expect(injectTraceContext(undefined, ROOT_CONTEXT)).toBeUndefined();
    expect(injectTraceContext(undefined, trace.setSpanContext(ROOT_CONTEXT, remoteParent))?.get("traceparent")).toContain(remoteParent.traceId);
  });

  it("reads back what was written, as a remote parent; nothing from a message without it", async () => {
    await startTracing();
    const carried = extractTraceContext(injectTraceContext(undefined, trace.setSpanContext(ROOT_CONTEXT, remoteParent)));
    expect(trace.getSpanContext(carried)).toMatchObject({ traceId: remoteParent.traceId, spanId: remoteParent.spanId, traceFlags: 1, isRemote: true });
    expect(trace.getSpanContext(carried)?.traceState?.get("vendor")).toBe("opaque");
    expect(trace.getSpanContext(extractTraceContext(undefined))).toBeUndefined();
    const unrelated = createHeaders();
    unrelated.set("Nats-Msg-Id", "gen-1");
    expect(trace.getSpanContext(extractTraceContext(unrelated))).toBeUndefined();
    const broken = createHeaders();
    broken.set("traceparent", "not a traceparent");
    expect(trace.getSpanContext(extractTraceContext(broken))).toBeUndefined();
  });

  it("makes the receiver's span a child of the sender's, with the messaging attributes", async () => {
    const exporter = await startTracing();
    const producer = startMessagingSpan({ kind: SpanKind.PRODUCER, operationType: messagingOperationTypes.send, operationName: "publish", subject: "sb.facts" });
    const headers = injectTraceContext(undefined, trace.setSpan(ROOT_CONTEXT, producer));
    producer.end();
    const consumer = startMessagingSpan({
      kind: SpanKind.CONSUMER,
      operationType: messagingOperationTypes.process,
      operationName: "process",
      subject: "sb.facts",
      consumerGroup: "billing-settlement",
      parent: extractTraceContext(headers),
    });
    consumer.end();
    await tracing?.forceFlush();
    const [sent, processed] = exporter.getFinishedSpans();
    expect(processed?.spanContext().traceId).toBe(sent?.spanContext().traceId);
    expect(processed?.parentSpanContext?.spanId).toBe(sent?.spanContext().spanId);
    expect(processed?.name).toBe("process sb.facts");
    expect(processed?.attributes).toEqual({
      "messaging.system": "nats",
      "messaging.destination.name": "sb.facts",
      "messaging.operation.type": "process",
      "messaging.operation.name": "process",
      "messaging.consumer.group.name": "billing-settlement",
    });
  });
});
