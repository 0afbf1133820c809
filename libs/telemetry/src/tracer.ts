import { trace, type Tracer } from "@opentelemetry/api";

/**
 * The tracer every Switchboard package starts its spans with, asked of the registered provider each time
 * (which keeps one per name) rather than kept: a kept tracer would stay bound to a provider that a test
 * has since shut down. Call it only while tracing is on (`isTracing()`); off, callers skip spans entirely.
 */
export function switchboardTracer(): Tracer {
  return trace.getTracer("switchboard");
}
