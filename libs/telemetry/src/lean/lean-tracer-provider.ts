import type { Tracer, TracerProvider } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { Sampler, SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { LeanTracer } from "./lean-tracer.js";
import type { SpanLimits } from "./span-limits.js";

/**
 * A tracer provider for the OTLP http/protobuf path: its spans (LeanSpan) hold only what the encoder
 * reads and go, when they end, to one processor (EncodingSpanProcessor), which encodes them at once.
 * Issue 12: with the SDK's tracer provider tracing cost +23 % to +33 % CPU per request at concurrency 20
 * and +29 % to +38 % at concurrency 1 in the telemetry comparison; with this one +18.6 % and +18.7 %, and
 * +21.8 % and +26.6 % (two runs). The library instrumentations work through the OpenTelemetry API as
 * with the SDK's.
 */
export class LeanTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, Tracer>();

  constructor(
    private readonly resource: Resource,
    private readonly processor: SpanProcessor,
    private readonly sampler: Sampler,
    private readonly limits: SpanLimits,
  ) {}

  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const key = `${name}@${version ?? ""}:${options?.schemaUrl ?? ""}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      const instrumentationScope = { name, ...(version ? { version } : {}), ...(options?.schemaUrl ? { schemaUrl: options.schemaUrl } : {}) };
      tracer = new LeanTracer({ resource: this.resource, instrumentationScope, processor: this.processor, limits: this.limits }, this.sampler);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  forceFlush(): Promise<void> {
    return this.processor.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.processor.shutdown();
  }
}
