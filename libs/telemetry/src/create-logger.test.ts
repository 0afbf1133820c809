import { context, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-node";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "./create-logger.js";
import type { Tracing } from "./running-tracing.js";
import { startTracingSdk } from "./start-tracing-sdk.js";
import { switchboardTracer } from "./tracer.js";

/** A logger writing into an array, and the lines it wrote, parsed. */
function capturedLogger(service: string) {
  const lines: string[] = [];
  const logger = createLogger(service, "debug", { write: (line: string) => void lines.push(line) });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("createLogger", () => {
  let tracing: Tracing | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  it("names the service on every line and adds no trace fields while tracing is off", () => {
    const { logger, lines } = capturedLogger("billing");
    // Even inside a span: with tracing off there is none to name (the API hands out no-op spans).
    trace.getTracer("test").startActiveSpan("off", (span) => {
      logger.info({ generation_id: "gen-1" }, "inside");
      span.end();
    });
    logger.info("outside");
    expect(lines()).toEqual([
      expect.objectContaining({ service: "billing", generation_id: "gen-1", msg: "inside" }),
      expect.objectContaining({ service: "billing", msg: "outside" }),
    ]);
    for (const line of lines()) {
      expect(line).not.toHaveProperty("trace_id");
      expect(line).not.toHaveProperty("span_id");
    }
  });

  it("adds the trace_id and span_id of the active span while tracing is on, and none outside a span", async () => {
    const exporter = new InMemorySpanExporter();
    tracing = await startTracingSdk({ protocol: "http/json", serviceName: "test", serviceVersion: "test", serviceInstanceId: "test", instrumentations: ["undici", "pg"] }, exporter);
    const { logger, lines } = capturedLogger("provider-connector");
    const outer = switchboardTracer().startSpan("outer");
    const inner = switchboardTracer().startSpan("inner", {}, trace.setSpan(context.active(), outer));
    context.with(trace.setSpan(context.active(), outer), () => {
      logger.warn({ generation_id: "gen-2", status: 500 }, "in the outer span");
      context.with(trace.setSpan(context.active(), inner), () => logger.child({ component: "child" }).debug("in the inner span, through a child logger"));
    });
    logger.info("in no span");
    inner.end();
    outer.end();
    await tracing.forceFlush();

    const exported = exporter.getFinishedSpans();
    const idsOf = (name: string) => {
      const span = exported.find((candidate) => candidate.name === name);
      return { trace_id: span?.spanContext().traceId, span_id: span?.spanContext().spanId };
    };
    const [first, second, third] = lines();
    expect(first).toMatchObject({ service: "provider-connector", generation_id: "gen-2", status: 500, ...idsOf("outer") });
    expect(second).toMatchObject({ service: "provider-connector", component: "child", ...idsOf("inner") });
    expect(first?.["trace_id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(first?.["span_id"]).toMatch(/^[0-9a-f]{16}$/);
    expect(third).not.toHaveProperty("trace_id");
    expect(third).not.toHaveProperty("span_id");
  });

  it("lets a field the call site passes win over the span's, and keeps each line's fields to itself", async () => {
    tracing = await startTracingSdk({ protocol: "http/json", serviceName: "test", serviceVersion: "test", serviceInstanceId: "test", instrumentations: ["undici", "pg"] }, new InMemorySpanExporter());
    const { logger, lines } = capturedLogger("ingress");
    const span = switchboardTracer().startSpan("request");
    context.with(trace.setSpan(context.active(), span), () => {
      logger.info({ span_id: "given" }, "first");
      logger.info("second");
    });
    span.end();
    const [first, second] = lines();
    expect(first?.["span_id"]).toBe("given");
    expect(second?.["span_id"]).toBe(span.spanContext().spanId);
  });

  it("redacts secrets and message bodies whatever the span", () => {
    const { logger, lines } = capturedLogger("ingress");
    logger.info({ authorization: "Bearer sk-secret", body: { messages: ["hello"] }, apiKey: "sk-other" }, "request");
    const text = JSON.stringify(lines());
    for (const secret of ["sk-secret", "hello", "sk-other"]) expect(text).not.toContain(secret);
  });
});
