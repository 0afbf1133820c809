import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { context, propagation, trace } from "@opentelemetry/api";
import { BusOnlyPropagator } from "./bus-only-propagator.js";
import { createSpanExporter } from "./create-span-exporter.js";
import { createProtobufSpanSender } from "./otlp/create-protobuf-span-sender.js";
import { EncodingSpanProcessor } from "./otlp/encoding-span-processor.js";
import { registerAutoInstrumentations } from "./register-auto-instrumentations.js";
import { attributeServiceInstanceId } from "./semconv.js";
import { setRunningTracing, type Tracing } from "./running-tracing.js";
import type { TracingSettings } from "./tracing-settings.js";

/**
 * Starts the tracing SDK and registers it as the process's global tracer provider, W3C trace-context
 * propagator (which writes trace context only onto the bus: BusOnlyPropagator) and AsyncLocalStorage
 * context manager, and turns on the undici and pg instrumentations (register-auto-instrumentations.ts).
 * Spans are batched (`OTEL_BSP_*` tune the batch) and exported with OTLP, or to `exporter` when a test gives one.
 */
export async function startTracingSdk(settings: TracingSettings, exporter?: SpanExporter): Promise<Tracing> {
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: settings.serviceName,
    [ATTR_SERVICE_VERSION]: settings.serviceVersion,
    [attributeServiceInstanceId]: settings.serviceInstanceId,
  }).merge(detectResources({ detectors: [envDetector] }));
  const processor = await createSpanProcessor(settings, exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register({ propagator: new BusOnlyPropagator(new W3CTraceContextPropagator()) });
  const unregisterInstrumentations = registerAutoInstrumentations(provider, settings.instrumentations);
  const tracing: Tracing = {
    tracer: provider.getTracer("switchboard"),
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      setRunningTracing(undefined);
      unregisterInstrumentations();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  setRunningTracing(tracing);
  return tracing;
}

/**
 * A test's exporter, or OTLP: http/protobuf (the default) through EncodingSpanProcessor, which encodes
 * each span as it ends; http/json and grpc through the SDK's BatchSpanProcessor and exporter.
 */
async function createSpanProcessor(settings: TracingSettings, exporter: SpanExporter | undefined): Promise<SpanProcessor> {
  if (exporter !== undefined) return new BatchSpanProcessor(exporter);
  if (settings.protocol === "http/protobuf") return new EncodingSpanProcessor(createProtobufSpanSender(settings.url));
  return new BatchSpanProcessor(await createSpanExporter(settings.protocol, settings.url));
}
