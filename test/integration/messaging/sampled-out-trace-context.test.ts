import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { context, trace, TraceFlags } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-node";
import { createSubjects } from "@switchboard/contracts";
import { ensureFactsStream, extractTraceContext, FactPublisher } from "@switchboard/messaging";
import { switchboardTracer } from "@switchboard/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tracing } from "../../../libs/telemetry/src/running-tracing.js";
import { startTracingSdk } from "../../../libs/telemetry/src/start-tracing-sdk.js";
import { testLogger } from "../../support/silent-logger.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";

/**
 * Issue 12, sampling: with OTEL_TRACES_SAMPLER a request may be sampled out at ingress. Its facts must
 * still carry its trace context (flagged not sampled), so billing and metadata-logging continue that
 * decision instead of each starting, and sampling, traces of their own.
 */
describe("a fact published under a span that was sampled out", () => {
  const subjects = createSubjects(uniqueNamespace("sampled"));
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let connection: NatsConnection;
  let sampler: string | undefined;

  beforeAll(async () => {
    sampler = process.env["OTEL_TRACES_SAMPLER"];
    process.env["OTEL_TRACES_SAMPLER"] = "always_off";
    tracing = await startTracingSdk({ protocol: "http/json", serviceName: "test", serviceVersion: "test", serviceInstanceId: "test", instrumentations: ["undici", "pg"] }, exporter);
    connection = await connectTestNats();
  });

  afterAll(async () => {
    if (sampler === undefined) delete process.env["OTEL_TRACES_SAMPLER"];
    else process.env["OTEL_TRACES_SAMPLER"] = sampler;
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(subjects.factsStream).catch(() => undefined);
    await connection?.close();
    await tracing?.shutdown();
  });

  it("carries the trace id with the not-sampled flag, and nothing is exported", async () => {
    const manager = await ensureFactsStream(connection, subjects);
    const request = switchboardTracer().startSpan("request");
    expect(request.isRecording()).toBe(false);
    const publisher = new FactPublisher(connection, { logger: testLogger("publisher") });
    await context.with(trace.setSpan(context.active(), request), () => publisher.publish(subjects.generationCompleted, { index: 1 }, "sampled-out-fact"));
    request.end();
    const stored = await manager.streams.getMessage(subjects.factsStream, { last_by_subj: subjects.generationCompleted });
    const carried = trace.getSpanContext(extractTraceContext(stored?.header));
    expect(carried?.traceId).toBe(request.spanContext().traceId);
    expect(carried?.traceFlags).toBe(TraceFlags.NONE);
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
