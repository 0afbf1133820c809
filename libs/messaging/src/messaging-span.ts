import { INVALID_SPAN_CONTEXT, trace, type Context, type Link, type Span, type SpanKind } from "@opentelemetry/api";
import {
  attributeMessagingConsumerGroupName,
  attributeMessagingDestinationName,
  attributeMessagingOperationName,
  attributeMessagingOperationType,
  attributeMessagingSystem,
  isTracing,
  messagingSystemNats,
  type messagingOperationTypes,
  switchboardTracer,
} from "@switchboard/telemetry";

/** What a messaging span is about (OTel messaging semantic conventions, https://opentelemetry.io/docs/specs/semconv/messaging/). */
export interface MessagingSpanOptions {
  /** CLIENT for a request awaiting its reply, PRODUCER for a publish, SERVER for an answered request, CONSUMER for a received message. */
  kind: SpanKind;
  /** `messaging.operation.type`. */
  operationType: (typeof messagingOperationTypes)[keyof typeof messagingOperationTypes];
  /** `messaging.operation.name`, also the first word of the span name: `request`, `publish`, `process`. */
  operationName: string;
  subject: string;
  /** The queue group or durable consumer name, for received messages. */
  consumerGroup?: string;
  /** The parent; the active context by default. */
  parent?: Context;
  links?: Link[];
}

/** What every messaging span is while tracing is off: one shared span that records nothing. */
const notTraced: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Starts a span named `<operation> <subject>` with `messaging.system = "nats"`. With tracing off it
 * returns a shared non-recording span at once: nothing is allocated and no header is read.
 */
export function startMessagingSpan(options: MessagingSpanOptions): Span {
  if (!isTracing()) return notTraced;
  const span = switchboardTracer().startSpan(
    `${options.operationName} ${options.subject}`,
    options.links ? { kind: options.kind, links: options.links } : { kind: options.kind },
    options.parent,
  );
  span.setAttributes({
    [attributeMessagingSystem]: messagingSystemNats,
    [attributeMessagingDestinationName]: options.subject,
    [attributeMessagingOperationType]: options.operationType,
    [attributeMessagingOperationName]: options.operationName,
  });
  if (options.consumerGroup !== undefined) span.setAttribute(attributeMessagingConsumerGroupName, options.consumerGroup);
  return span;
}
