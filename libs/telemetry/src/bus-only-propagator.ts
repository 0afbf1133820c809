import { defaultTextMapSetter, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from "@opentelemetry/api";

/**
 * The process's global propagator: W3C trace context (or whatever `inner` is) read from anything, but
 * written only by callers that bring their own setter, which is what the NATS bus does
 * (libs/messaging/trace-context-headers.ts). The undici instrumentation injects into a plain header object
 * with the default setter on every outgoing request, and the connector's outgoing requests go to LLM
 * providers, third parties that have no business seeing our trace and span ids; it has no option to stop
 * that, so the propagator refuses it here. start-tracing.test.ts checks a provider receives no `traceparent`.
 */
export class BusOnlyPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (setter === defaultTextMapSetter) return;
    this.inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
