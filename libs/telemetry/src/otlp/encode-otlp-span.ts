import type { HrTime, Link, SpanContext } from "@opentelemetry/api";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace-node";
import { wireType, type ProtobufWriter } from "./protobuf-writer.js";
import { writeOtlpAttributes } from "./write-otlp-attributes.js";

/**
 * Field numbers of opentelemetry-proto's trace.proto (v1), the messages this file writes.
 * https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
const spanField = {
  traceId: 1, spanId: 2, traceState: 3, parentSpanId: 4, name: 5, kind: 6, startTime: 7, endTime: 8, attributes: 9,
  droppedAttributesCount: 10, events: 11, droppedEventsCount: 12, links: 13, droppedLinksCount: 14, status: 15, flags: 16,
} as const;
const eventField = { time: 1, name: 2, attributes: 3, droppedAttributesCount: 4 } as const;
const linkField = { traceId: 1, spanId: 2, traceState: 3, attributes: 4, droppedAttributesCount: 5, flags: 6 } as const;
const statusField = { message: 2, code: 3 } as const;

/** Span flags: the W3C trace flags in the low byte, and whether the parent is known to be remote (trace.proto SpanFlags). */
const contextHasIsRemote = 0x100;
const contextIsRemote = 0x200;

const nanosecondsPerSecond = 1_000_000_000;
const twoToThe32 = 0x1_0000_0000;

/**
 * Writes one finished span as an OTLP `Span` message, field `fieldNumber` of the enclosing `ScopeSpans`,
 * with what the OpenTelemetry JS exporter would send for it (its `ProtobufTraceSerializer`; the test
 * decodes both and compares), but straight into `writer`, without building the intermediate objects.
 */
export function encodeOtlpSpan(writer: ProtobufWriter, span: ReadableSpan, fieldNumber: number): void {
  const message = writer.startMessage(fieldNumber);
  const context = span.spanContext();
  writer.tag(spanField.traceId, wireType.lengthDelimited);
  writer.hexBytes(context.traceId);
  writer.tag(spanField.spanId, wireType.lengthDelimited);
  writer.hexBytes(context.spanId);
  writeTraceState(writer, context, spanField.traceState);
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.tag(spanField.parentSpanId, wireType.lengthDelimited);
    writer.hexBytes(parent.spanId);
  }
  writer.tag(spanField.name, wireType.lengthDelimited);
  writer.string(span.name);
  // The API's kinds start at INTERNAL = 0; OTLP's at SPAN_KIND_UNSPECIFIED = 0.
  writer.tag(spanField.kind, wireType.varint);
  writer.varint(span.kind + 1);
  writer.tag(spanField.startTime, wireType.fixed64);
  writeTime(writer, span.startTime);
  writer.tag(spanField.endTime, wireType.fixed64);
  writeTime(writer, span.endTime);
  writeOtlpAttributes(writer, span.attributes, spanField.attributes);
  writeCount(writer, spanField.droppedAttributesCount, span.droppedAttributesCount);
  for (const event of span.events) writeEvent(writer, event);
  writeCount(writer, spanField.droppedEventsCount, span.droppedEventsCount);
  for (const link of span.links) writeLink(writer, link);
  writeCount(writer, spanField.droppedLinksCount, span.droppedLinksCount);
  const status = writer.startMessage(spanField.status);
  if (span.status.message) {
    writer.tag(statusField.message, wireType.lengthDelimited);
    writer.string(span.status.message);
  }
  writer.tag(statusField.code, wireType.varint);
  writer.varint(span.status.code);
  writer.endMessage(status);
  writer.tag(spanField.flags, wireType.fixed32);
  writer.fixed32(flagsOf(context, parent?.isRemote));
  writer.endMessage(message);
}

function writeEvent(writer: ProtobufWriter, event: TimedEvent): void {
  const message = writer.startMessage(spanField.events);
  writer.tag(eventField.time, wireType.fixed64);
  writeTime(writer, event.time);
  writer.tag(eventField.name, wireType.lengthDelimited);
  writer.string(event.name);
  if (event.attributes) writeOtlpAttributes(writer, event.attributes, eventField.attributes);
  writeCount(writer, eventField.droppedAttributesCount, event.droppedAttributesCount);
  writer.endMessage(message);
}

function writeLink(writer: ProtobufWriter, link: Link): void {
  const message = writer.startMessage(spanField.links);
  writer.tag(linkField.traceId, wireType.lengthDelimited);
  writer.hexBytes(link.context.traceId);
  writer.tag(linkField.spanId, wireType.lengthDelimited);
  writer.hexBytes(link.context.spanId);
  writeTraceState(writer, link.context, linkField.traceState);
  if (link.attributes) writeOtlpAttributes(writer, link.attributes, linkField.attributes);
  writeCount(writer, linkField.droppedAttributesCount, link.droppedAttributesCount);
  writer.tag(linkField.flags, wireType.fixed32);
  writer.fixed32(flagsOf(link.context, link.context.isRemote));
  writer.endMessage(message);
}

function writeTraceState(writer: ProtobufWriter, context: SpanContext, fieldNumber: number): void {
  const traceState = context.traceState?.serialize();
  if (!traceState) return;
  writer.tag(fieldNumber, wireType.lengthDelimited);
  writer.string(traceState);
}

/** A count that proto3 leaves out when it is 0. */
function writeCount(writer: ProtobufWriter, fieldNumber: number, count: number | undefined): void {
  if (!count) return;
  writer.tag(fieldNumber, wireType.varint);
  writer.varint(count);
}

function flagsOf(context: SpanContext, isRemote: boolean | undefined): number {
  return (context.traceFlags & 0xff) | contextHasIsRemote | (isRemote ? contextIsRemote : 0);
}

/**
 * `[seconds, nanoseconds]` as fixed64 nanoseconds since the epoch. The product does not fit a double's
 * 53 bits (it reaches 2^60), so the seconds are split at 2^16 and each part's nanoseconds carried into
 * the high word separately.
 */
function writeTime(writer: ProtobufWriter, [seconds, nanoseconds]: HrTime): void {
  const lowSeconds = seconds % 0x1_0000;
  const highSeconds = (seconds - lowSeconds) / 0x1_0000;
  // seconds × 1e9 + ns = highSeconds × 1e9 × 2^16 + (lowSeconds × 1e9 + ns); both parts stay below 2^53.
  const lowPart = lowSeconds * nanosecondsPerSecond + nanoseconds;
  const highPart = highSeconds * nanosecondsPerSecond;
  const highPartLow = (highPart % 0x1_0000) * 0x1_0000;
  const highPartHigh = Math.floor(highPart / 0x1_0000);
  const low = (lowPart % twoToThe32) + highPartLow;
  const high = Math.floor(lowPart / twoToThe32) + highPartHigh + Math.floor(low / twoToThe32);
  writer.fixed64(low % twoToThe32, high);
}
