import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-node";
import { createSubjects } from "@switchboard/contracts";
import { consumeFactBatches, DeadLetterCounter, ensureDeadLetterStream, ensureFactsStream, FactPublisher } from "@switchboard/messaging";
import { switchboardTracer } from "@switchboard/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTracingSdk } from "../../../libs/telemetry/src/start-tracing-sdk.js";
import type { Tracing } from "../../../libs/telemetry/src/running-tracing.js";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { waitFor } from "../../support/wait-for.js";

const factCount = 40;

/**
 * Issue 12, logs: facts are handled in batches (one database transaction for many requests), yet a line
 * a consumer writes about one fact through `inSpanOf` names that fact's own CONSUMER span, in the trace of
 * the request that published it; not the trace of another fact of the same batch, and not none.
 */
describe("log lines about facts handled in a batch", () => {
  const subjects = createSubjects(uniqueNamespace("batchlog"));
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let connection: NatsConnection;

  beforeAll(async () => {
    tracing = await startTracingSdk({ protocol: "http/json", serviceName: "test", serviceVersion: "test", serviceInstanceId: "test", instrumentations: ["undici", "pg"] }, exporter);
    connection = await connectTestNats();
    await ensureDeadLetterStream(connection, subjects);
  });

  afterAll(async () => {
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(subjects.factsStream).catch(() => undefined);
    await manager.streams.delete(subjects.deadLetterStream).catch(() => undefined);
    await connection?.close();
    await tracing?.shutdown();
  });

  it("names each fact's own span and trace, in batches of more than one", async () => {
    const manager = await ensureFactsStream(connection, subjects);
    const publisher = new FactPublisher(connection, { logger: testLogger("publisher") });
    // Each fact published by its own "request", all before the consumer starts, so they come in batches.
    const traceOfFact = new Map<number, string>();
    for (let index = 0; index < factCount; index++) {
      const request = switchboardTracer().startSpan(`request ${index}`);
      traceOfFact.set(index, request.spanContext().traceId);
      await context.with(trace.setSpan(context.active(), request), () => publisher.publish(subjects.generationCompleted, { index }, `fact-${index}`));
      request.end();
    }
    await publisher.pending();

    const capture: LogCapture = { lines: [] };
    const logger = testLogger("consumer", capture);
    const batchSizes: number[] = [];
    const consumer = await consumeFactBatches(connection, {
      manager,
      stream: subjects.factsStream,
      durableName: "batch-log-consumer",
      filterSubject: subjects.generationCompleted,
      schema: z.object({ index: z.number() }),
      handleBatch: async (facts: Array<{ index: number }>, inSpanOf) => {
        batchSizes.push(facts.length);
        // After the batch's one "commit", as billing's settlement reports each fact.
        await new Promise((resolve) => setTimeout(resolve, 1));
        for (const fact of facts) inSpanOf(fact, () => logger.info({ index: fact.index }, "fact handled"));
        logger.info({ facts: facts.length }, "batch handled");
      },
      handleOne: async () => undefined,
      isOutage: () => false,
      logger,
      deadLetters: { subject: subjects.deadLetters("batch-log-consumer"), counter: new DeadLetterCounter() },
    });
    try {
      await waitFor(async () => (capture.lines.filter((line) => line.includes('"fact handled"')).length >= factCount ? true : undefined), 10_000, "every fact handled");
    } finally {
      await consumer.stop();
    }
    await tracing.forceFlush();

    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    const consumerSpans = new Map(exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CONSUMER).map((span) => [span.spanContext().spanId, span]));
    const lines = capture.lines.map((line) => JSON.parse(line) as { msg: string; index?: number; trace_id?: string; span_id?: string });
    const factLines = lines.filter((line) => line.msg === "fact handled");
    expect(factLines).toHaveLength(factCount);
    for (const line of factLines) {
      const span = consumerSpans.get(line.span_id ?? "");
      expect(span, `the span of fact ${line.index}`).toBeDefined();
      expect(line.trace_id, `fact ${line.index}`).toBe(traceOfFact.get(line.index ?? -1));
      expect(span?.spanContext().traceId).toBe(line.trace_id);
    }
    // The batch as a whole belongs to no one request: its own line has no trace when the batch held several.
    const batchLines = lines.filter((line) => line.msg === "batch handled" && line.trace_id === undefined);
    expect(batchLines.length).toBeGreaterThan(0);
  });
});
