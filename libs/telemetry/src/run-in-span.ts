import { context, trace, type Context, type Span } from "@opentelemetry/api";

/**
 * Runs `work` with `span` as the active span (on top of `parent`, the active context by default), so the
 * spans and messages it starts are its children. A span that does not record (tracing off) changes
 * nothing: `work` is simply called, with no context allocated.
 */
export function runInSpan<Result>(span: Span, work: () => Result, parent?: Context): Result {
  if (!span.isRecording()) return work();
  return context.with(trace.setSpan(parent ?? context.active(), span), work);
}
