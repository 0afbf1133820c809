import { headers as createHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { context, isSpanContextValid, propagation, ROOT_CONTEXT, trace, type Context, type Span, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import { isTracing } from "@switchboard/telemetry";

const headerSetter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

const headerGetter: TextMapGetter<MsgHdrs> = {
  keys: (carrier) => carrier.keys(),
  // MsgHdrs.get answers "" for a missing header; the propagator must see it as absent. One lookup, not
  // `has` then `get`: each lists and filters every key of the message (issue 12, the cost of tracing).
  get: (carrier, key) => carrier.get(key) || undefined,
};

/**
 * Writes the W3C trace context (`traceparent`, `tracestate`) of `from` (the active context by default)
 * into NATS headers: into `headers` when given, else into new ones. With tracing off, or without a valid
 * span to carry, nothing is written and no headers are allocated: `headers` is returned as it was,
 * possibly undefined, so a message without headers stays without.
 */
export function injectTraceContext(headers: MsgHdrs | undefined, from?: Context): MsgHdrs | undefined {
  if (!isTracing()) return headers;
  const carried = from ?? context.active();
  const spanContext = trace.getSpanContext(carried);
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return headers;
  const carrier = headers ?? createHeaders();
  propagation.inject(carried, carrier, headerSetter);
  return carrier;
}

/**
 * What `injectTraceContext(headers, trace.setSpan(parent, span))` writes, without making a context to
 * carry `span` in: the W3C `traceparent` (version 00, as OpenTelemetry's W3CTraceContextPropagator writes
 * it: trace-context-headers.test.ts compares the two) and `tracestate`. Issue 12: every request made two
 * such contexts only to send them (a copied Map and three closures each), the largest part of what
 * tracing adds to ingress after the span ids.
 */
export function injectSpanTraceContext(headers: MsgHdrs | undefined, span: Span): MsgHdrs | undefined {
  if (!isTracing()) return headers;
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return headers;
  const carrier = headers ?? createHeaders();
  carrier.set("traceparent", `00-${spanContext.traceId}-${spanContext.spanId}-0${Number(spanContext.traceFlags).toString(16)}`);
  if (spanContext.traceState !== undefined) carrier.set("tracestate", spanContext.traceState.serialize());
  return carrier;
}

/**
 * The trace context a received message carries, on top of the root context (a message's processing
 * never continues whatever happened to be active); the root context when it carries none.
 */
export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  if (headers === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}
