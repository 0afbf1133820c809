import { context } from "@opentelemetry/api";
import { ExportResultCode, isTracingSuppressed, setGlobalErrorHandler, type ExportResult } from "@opentelemetry/core";
import type { Tracer } from "@opentelemetry/api";
import { AlwaysOffSampler, BasicTracerProvider } from "@opentelemetry/sdk-trace-node";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EncodingSpanProcessor, type EncodedSpanSender } from "./encoding-span-processor.js";

interface Sent {
  spanCount: number;
  bytes: number;
  suppressed: boolean;
}

/** A sender that records what it was given and answers when the test says so. */
function recordingSender() {
  const sent: Sent[] = [];
  const answers: Array<(result: ExportResult) => void> = [];
  const sender: EncodedSpanSender & { shutDown: boolean } = {
    shutDown: false,
    send(request, spanCount, done) {
      sent.push({ spanCount, bytes: request.length, suppressed: isTracingSuppressed(context.active()) });
      answers.push(done);
    },
    async shutdown() {
      sender.shutDown = true;
    },
  };
  const answerAll = (result: ExportResult = { code: ExportResultCode.SUCCESS }) => {
    for (const answer of answers.splice(0)) answer(result);
  };
  return { sender, sent, answerAll };
}

function tracerWith(processor: EncodingSpanProcessor, sampled = true): Tracer {
  return new BasicTracerProvider({ spanProcessors: [processor], ...(sampled ? {} : { sampler: new AlwaysOffSampler() }) }).getTracer("test");
}

const endSpans = (tracer: Tracer, count: number) => {
  for (let index = 0; index < count; index++) tracer.startSpan(`span ${index}`).end();
};

describe("EncodingSpanProcessor", () => {
  // As the SDK registers it: without a context manager no context is ever active, suppressed or not.
  beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  afterAll(() => context.disable());
  const errors: unknown[] = [];
  afterEach(() => {
    vi.useRealTimers();
    errors.splice(0);
  });
  setGlobalErrorHandler((error) => errors.push(error));

  it("sends a batch as soon as maxExportBatchSize spans wait, one batch at a time, with tracing suppressed", async () => {
    const { sender, sent, answerAll } = recordingSender();
    const tracer = tracerWith(new EncodingSpanProcessor(sender, { maxQueueSize: 100, maxExportBatchSize: 3, scheduleDelayMs: 60_000 }));
    endSpans(tracer, 7);
    // The second batch filled while the first was out: it goes when the first is answered, with the span after it.
    expect(sent).toEqual([{ spanCount: 3, bytes: expect.any(Number), suppressed: true }]);
    answerAll();
    await vi.waitFor(() => expect(sent.map((batch) => batch.spanCount)).toEqual([3, 4]));
    expect(sent[1]?.suppressed).toBe(true);
  });

  it("sends spans whose delay ran out during a send as soon as it is answered", async () => {
    vi.useFakeTimers();
    const { sender, sent, answerAll } = recordingSender();
    const tracer = tracerWith(new EncodingSpanProcessor(sender, { maxQueueSize: 100, maxExportBatchSize: 2, scheduleDelayMs: 1_000 }));
    endSpans(tracer, 3);
    vi.advanceTimersByTime(1_000);
    expect(sent.map((batch) => batch.spanCount)).toEqual([2]);
    answerAll();
    await vi.waitFor(() => expect(sent.map((batch) => batch.spanCount)).toEqual([2, 1]));
  });

  it("sends what waits scheduleDelayMs after the first span of a batch", () => {
    vi.useFakeTimers();
    const { sender, sent } = recordingSender();
    const tracer = tracerWith(new EncodingSpanProcessor(sender, { maxQueueSize: 100, maxExportBatchSize: 50, scheduleDelayMs: 1_000 }));
    endSpans(tracer, 2);
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sent.map((batch) => batch.spanCount)).toEqual([2]);
  });

  it("sends no span that was not sampled", async () => {
    const { sender, sent } = recordingSender();
    const processor = new EncodingSpanProcessor(sender, { maxQueueSize: 100, maxExportBatchSize: 1, scheduleDelayMs: 1_000 });
    endSpans(tracerWith(processor, false), 3);
    await processor.forceFlush();
    expect(sent).toHaveLength(0);
  });

  it("drops spans past maxQueueSize waiting and reports how many with the next batch", () => {
    vi.useFakeTimers();
    const { sender, sent } = recordingSender();
    const processor = new EncodingSpanProcessor(sender, { maxQueueSize: 2, maxExportBatchSize: 10, scheduleDelayMs: 1_000 });
    endSpans(tracerWith(processor), 5);
    vi.advanceTimersByTime(1_000);
    expect(sent.map((batch) => batch.spanCount)).toEqual([2]);
    expect(errors).toEqual([new Error("dropped 3 spans: more than 2 were waiting to be exported")]);
  });

  it("forceFlush sends what waits and resolves once every batch sent is answered; a failure is reported", async () => {
    const { sender, sent, answerAll } = recordingSender();
    const processor = new EncodingSpanProcessor(sender, { maxQueueSize: 100, maxExportBatchSize: 50, scheduleDelayMs: 60_000 });
    endSpans(tracerWith(processor), 2);
    let flushed = false;
    const flushing = processor.forceFlush().then(() => (flushed = true));
    expect(sent.map((batch) => batch.spanCount)).toEqual([2]);
    await Promise.resolve();
    expect(flushed).toBe(false);
    answerAll({ code: ExportResultCode.FAILED, error: new Error("collector unreachable") });
    await flushing;
    expect(errors).toEqual([new Error("collector unreachable")]);
  });

  it("forceFlush during a send waits for its answer, then sends the spans waiting and waits for theirs", async () => {
    const { sender, sent, answerAll } = recordingSender();
    const processor = new EncodingSpanProcessor(sender, { maxQueueSize: 100, maxExportBatchSize: 2, scheduleDelayMs: 60_000 });
    endSpans(tracerWith(processor), 3);
    let flushed = false;
    const flushing = processor.forceFlush().then(() => (flushed = true));
    expect(sent.map((batch) => batch.spanCount)).toEqual([2]);
    answerAll();
    await vi.waitFor(() => expect(sent.map((batch) => batch.spanCount)).toEqual([2, 1]));
    expect(flushed).toBe(false);
    answerAll();
    await flushing;
  });

  it("shutdown sends what waits, shuts the sender down and takes no span after", async () => {
    const { sender, sent, answerAll } = recordingSender();
    const processor = new EncodingSpanProcessor(sender, { maxQueueSize: 100, maxExportBatchSize: 50, scheduleDelayMs: 60_000 });
    const tracer = tracerWith(processor);
    endSpans(tracer, 3);
    const stopping = processor.shutdown();
    answerAll();
    await stopping;
    expect(sender.shutDown).toBe(true);
    endSpans(tracer, 3);
    await processor.forceFlush();
    expect(sent.map((batch) => batch.spanCount)).toEqual([3]);
  });
});
