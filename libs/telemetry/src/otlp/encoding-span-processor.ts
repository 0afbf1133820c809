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
 * until its batch is serialized. As there, one batch is sent at a time (the SDK specification forbids
 * concurrent exports), when `maxExportBatchSize` spans are waiting or `scheduleDelayMs` after the first;
 * spans ending meanwhile wait for the next batch, and past `maxQueueSize` waiting spans new ones are
 * dropped (counted in the error reported with the next batch). Sending happens with tracing suppressed,
 * so it makes no spans of its own.
 */
export class EncodingSpanProcessor implements SpanProcessor {
  private readonly batch = new EncodedSpanBatch();
  /** The batch being sent, until its sender answers. */
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The waiting spans' delay ran out while a batch was being sent: send them as soon as it is answered. */
  private due = false;
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
    else this.startTimer();
  }

  /** Sends the spans waiting now (after the batch being sent, if any) and resolves once they are answered. */
  async forceFlush(): Promise<void> {
    if (this.sending !== undefined) await this.sending;
    this.sendWaiting();
    await this.sending;
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    await this.forceFlush();
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sender.shutdown();
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = true;
      this.sendWaiting();
    }, this.limits.scheduleDelayMs);
    this.timer.unref();
  }

  private sendWaiting(): void {
    if (this.sending !== undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = false;
    const spanCount = this.batch.count;
    const request = this.batch.take();
    if (request === undefined) return;
    if (this.dropped > 0) {
      globalErrorHandler(new Error(`dropped ${this.dropped} spans: more than ${this.limits.maxQueueSize} were waiting to be exported`));
      this.dropped = 0;
    }
    this.sending = new Promise<void>((resolve) => {
      context.with(suppressTracing(context.active()), () =>
        this.sender.send(request, spanCount, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) globalErrorHandler(result.error ?? new Error(`exporting ${spanCount} spans failed`));
          resolve();
        }),
      );
    }).then(() => this.answered());
  }

  /** The batch in flight was answered: the next goes now if it is full or overdue, else when its delay runs out. */
  private answered(): void {
    this.sending = undefined;
    if (this.batch.count === 0) return;
    if (this.due || this.batch.count >= this.limits.maxExportBatchSize) this.sendWaiting();
    else this.startTimer();
  }
}
