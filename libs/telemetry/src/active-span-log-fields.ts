import { isSpanContextValid, trace } from "@opentelemetry/api";
import { isTracing } from "./running-tracing.js";

/** The trace context a log line carries: hex ids as OTLP exports them, so a line finds its span. */
export interface ActiveSpanLogFields {
  trace_id?: string;
  span_id?: string;
}

/**
 * The `trace_id` and `span_id` of the span active where a line is logged, for pino's `mixin`: a line
 * written while a request is handled names the span it was written in. With tracing off it returns at
 * once without asking the OTel API anything. Always a new object: pino merges the line's own fields
 * into what the mixin returns.
 */
export function activeSpanLogFields(): ActiveSpanLogFields {
  if (!isTracing()) return {};
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
