import { context as contextApi, INVALID_SPAN_CONTEXT, isSpanContextValid, SamplingDecision, SpanKind, trace, TraceFlags, type Context, type Span, type SpanContext, type SpanOptions, type Tracer } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import type { Sampler } from "@opentelemetry/sdk-trace-node";
import { LeanSpan, type LeanSpanSetting } from "./lean-span.js";
import { RandomIdPool } from "./random-id-pool.js";

/** Random ids, never all zero, so always valid W3C ids (random-id-pool.ts: why not the SDK's generator). */
const ids = new RandomIdPool();

/**
 * Starts spans as the SDK's tracer does (a span of a suppressed context records nothing; a child keeps
 * its parent's trace id and trace state; the sampler decides), making LeanSpans.
 */
export class LeanTracer implements Tracer {
  constructor(
    private readonly setting: LeanSpanSetting,
    private readonly sampler: Sampler,
  ) {}

  startSpan(name: string, options: SpanOptions = {}, context: Context = contextApi.active()): Span {
    if (isTracingSuppressed(context)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parentContext = options.root ? trace.deleteSpan(context) : context;
    const parent = trace.getSpanContext(parentContext);
    const validParent = parent !== undefined && isSpanContextValid(parent) ? parent : undefined;
    const traceId = validParent?.traceId ?? ids.generateTraceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const sampling = this.sampler.shouldSample(parentContext, traceId, name, kind, options.attributes ?? {}, options.links ?? []);
    const traceState = sampling.traceState ?? validParent?.traceState;
    const spanContext: SpanContext = {
      traceId,
      spanId: ids.generateSpanId(),
      traceFlags: sampling.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      ...(traceState === undefined ? {} : { traceState }),
    };
    if (sampling.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const attributes = sampling.attributes === undefined ? options.attributes : { ...options.attributes, ...sampling.attributes };
    return new LeanSpan(spanContext, name, kind, validParent, this.setting, attributes, options.links, options.startTime);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const work = rest[rest.length - 1] as F;
    const options = rest.length >= 2 ? (rest[0] as SpanOptions) : undefined;
    const parent = rest.length === 3 ? rest[1] : contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), work as (span: Span) => ReturnType<F>, undefined, span);
  }
}
