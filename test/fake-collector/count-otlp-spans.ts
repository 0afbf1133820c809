/**
 * Span counts of OTLP trace exports (https://opentelemetry.io/docs/specs/otlp/), decoding no more than the
 * nesting `ExportTraceServiceRequest.resource_spans (1) → ResourceSpans.scope_spans (2) → ScopeSpans.spans (2)`
 * of opentelemetry-proto's trace.proto: a counting collector needs no schema library, and what a span holds
 * is never read.
 */

/** The protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
const wireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** The body is not the protobuf or JSON it claims to be. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpDecodeError";
  }
}

function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let index = start; index < bytes.length && index < start + 10; index += 1) {
    const byte = bytes[index] as number;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: index + 1 };
    scale *= 128;
  }
  throw new OtlpDecodeError(`truncated varint at byte ${start}`);
}

/** The length-delimited fields numbered `fieldNumber` of one message; every other field is skipped. */
function lengthDelimitedFields(bytes: Uint8Array, fieldNumber: number): Uint8Array[] {
  const fields: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const key = readVarint(bytes, offset);
    const number = Math.floor(key.value / 8);
    const type = key.value % 8;
    offset = key.next;
    switch (type) {
      case wireType.varint:
        offset = readVarint(bytes, offset).next;
        break;
      case wireType.fixed64:
        offset += 8;
        break;
      case wireType.fixed32:
        offset += 4;
        break;
      case wireType.lengthDelimited: {
        const length = readVarint(bytes, offset);
        const end = length.next + length.value;
        if (end > bytes.length) throw new OtlpDecodeError(`field ${number} runs past the end of its message`);
        if (number === fieldNumber) fields.push(bytes.subarray(length.next, end));
        offset = end;
        break;
      }
      default:
        throw new OtlpDecodeError(`wire type ${type} of field ${number} is not one OTLP uses`);
    }
    if (offset > bytes.length) throw new OtlpDecodeError(`field ${number} runs past the end of its message`);
  }
  return fields;
}

/** Spans in an http/protobuf export (an `ExportTraceServiceRequest`). */
export function countSpansInProtobuf(bytes: Uint8Array): number {
  let spans = 0;
  for (const resourceSpans of lengthDelimitedFields(bytes, 1)) {
    for (const scopeSpans of lengthDelimitedFields(resourceSpans, 2)) spans += lengthDelimitedFields(scopeSpans, 2).length;
  }
  return spans;
}

interface JsonExport {
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

/** Spans in an http/json export; the JSON mapping names the fields in lowerCamelCase. */
export function countSpansInJson(text: string): number {
  let parsed: JsonExport;
  try {
    parsed = JSON.parse(text) as JsonExport;
  } catch (error) {
    throw new OtlpDecodeError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (parsed.resourceSpans ?? []).reduce(
    (total, resource) => total + (resource.scopeSpans ?? []).reduce((subtotal, scope) => subtotal + (scope.spans ?? []).length, 0),
    0,
  );
}
