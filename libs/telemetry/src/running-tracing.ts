import type { Tracer } from "@opentelemetry/api";

/** The running SDK of this process. */
export interface Tracing {
  /** Its tracer, asked of its provider once: asking on every span cost a lookup per span. */
  readonly tracer: Tracer;
  /** Exports every ended span now. */
  forceFlush(): Promise<void>;
  /** Exports what is left and unregisters the SDK: the OTel API is a no-op again. */
  shutdown(): Promise<void>;
}

let running: Tracing | undefined;

/** Remembers the SDK this process started (start-tracing-sdk.ts), or forgets it with undefined. */
export function setRunningTracing(tracing: Tracing | undefined): void {
  running = tracing;
}

/**
 * True while this process's tracing SDK runs. Hot paths ask before they read headers or start spans, so
 * with tracing off they do no work at all, not even the OTel API's no-op calls.
 */
export function isTracing(): boolean {
  return running !== undefined;
}

/** The running SDK's tracer, or undefined while tracing is off. */
export function runningTracer(): Tracer | undefined {
  return running?.tracer;
}

/**
 * Exports the spans still buffered and stops the SDK, if this process started one; resolves at once
 * otherwise. Services call it last when they stop (shutDownOnSignals), so the spans of their final
 * requests are not lost with the process. Kept apart from the SDK so importing it loads none of it.
 */
export async function shutdownTracing(): Promise<void> {
  await running?.shutdown();
}
