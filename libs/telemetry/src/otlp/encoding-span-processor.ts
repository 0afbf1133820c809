import { context, diag, TraceFlags, type Context } from "@opentelemetry/api";
import { ExportResultCode, globalErrorHandler, suppressTracing, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { EncodedSpanBatch } from "./encoded-span-batch.js";
import { spanBatchLimitsFromEnvironment, type SpanBatchLimits } from "./span-batch-limits.js";

/** Where encoded batches go: an OTLP/HTTP sender (create-protobuf-span-sender.ts) or, in a test, a list. */
export interface EncodedSpanSender {
  /** Sends one ExportTraceServiceRequest of `spanCount` spans and calls back once with the outcome. */
  send(request: Uint8Array, spanCount: number, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry SDK's BatchSpanProcessor with its exporter, for OTLP http/protobuf, at a fraction of
 * the cost: each sampled span is encoded to protobuf when it ends (EncodedSpanBatch) rather than kept
 * until its batch is serialized. Batches go out when `maxExportBatchSize` spans are waiting or
 * `scheduleDelayMs` after the first; past `maxQueueSize` waiting spans new ones are dropped (and
 * counted in the error reported). Sending happens with tracing suppressed, so it makes no spans of its own.
 */
export class EncodingSpanProcessor implements SpanProcessor {
  private readonly batch = new EncodedSpanBatch();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private dropped = 0;
  private stopped = false;

  constructor(
    private readonly sender: EncodedSpanSender,
    private readonly limits: SpanBatchLimits = spanBatchLimitsFromEnvironment(),
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.batch.count >= this.limits.maxQueueSize) {
      if (this.dropped++ === 0) diag.warn(`span queue full (${this.limits.maxQueueSize}): dropping spans until the next export`);
      return;
    }
    this.batch.add(span);
    if (this.batch.count >= this.limits.maxExportBatchSize) this.sendWaiting();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.sendWaiting(), this.limits.scheduleDelayMs);
      this.timer.unref();
    }
  }

  async forceFlush(): Promise<void> {
    this.sendWaiting();
    await Promise.all([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    await this.forceFlush();
    this.stopped = true;
    await this.sender.shutdown();
  }

  private sendWaiting(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const spanCount = this.batch.count;
    const request = this.batch.take();
    if (request === undefined) return;
    if (this.dropped > 0) {
      globalErrorHandler(new Error(`dropped ${this.dropped} spans: more than ${this.limits.maxQueueSize} were waiting to be exported`));
      this.dropped = 0;
    }
    const sending = new Promise<void>((resolve) => {
      context.with(suppressTracing(context.active()), () =>
        this.sender.send(request, spanCount, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) globalErrorHandler(result.error ?? new Error(`exporting ${spanCount} spans failed`));
          resolve();
        }),
      );
    });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}
