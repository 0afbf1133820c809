import { trace, type Tracer } from "@opentelemetry/api";
import { runningTracer } from "./running-tracing.js";

/**
 * The tracer every Switchboard package starts its spans with: the one of this process's running SDK,
 * kept by the SDK while it runs and dropped when it shuts down (so a test that has shut a provider down
 * never gets its tracer again), else the registered provider's. Call it only while tracing is on
 * (`isTracing()`); off, callers skip spans entirely.
 */
export function switchboardTracer(): Tracer {
  return runningTracer() ?? trace.getTracer("switchboard");
}
