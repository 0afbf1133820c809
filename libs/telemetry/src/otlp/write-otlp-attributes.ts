import type { Attributes, AttributeValue } from "@opentelemetry/api";
import { wireType, type ProtobufWriter } from "./protobuf-writer.js";

/** Field numbers of opentelemetry-proto's common.proto (v1). */
const keyValueField = { key: 1, value: 2 } as const;
const anyValueField = { string: 1, bool: 2, int: 3, double: 4, array: 5 } as const;
const arrayValueField = { values: 1 } as const;

/** `attributes` as repeated `KeyValue` field `fieldNumber`; an attribute whose value is undefined is left out. */
export function writeOtlpAttributes(writer: ProtobufWriter, attributes: Attributes, fieldNumber: number): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    const keyValue = writer.startMessage(fieldNumber);
    writer.tag(keyValueField.key, wireType.lengthDelimited);
    writer.string(key);
    const anyValue = writer.startMessage(keyValueField.value);
    writeAnyValue(writer, value);
    writer.endMessage(anyValue);
    writer.endMessage(keyValue);
  }
}

/** The body of an `AnyValue`; null (allowed inside arrays) is an empty one. */
function writeAnyValue(writer: ProtobufWriter, value: AttributeValue | null | undefined): void {
  switch (typeof value) {
    case "string":
      writer.tag(anyValueField.string, wireType.lengthDelimited);
      writer.string(value);
      return;
    case "boolean":
      writer.tag(anyValueField.bool, wireType.varint);
      writer.varint(value ? 1 : 0);
      return;
    case "number":
      // As the OpenTelemetry exporter does: an integer within int64 is an int, anything else a double.
      if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) {
        writer.tag(anyValueField.int, wireType.varint);
        writer.int64(value);
      } else {
        writer.tag(anyValueField.double, wireType.fixed64);
        writer.double(value);
      }
      return;
    case "object":
      if (Array.isArray(value)) {
        const array = writer.startMessage(anyValueField.array);
        for (const item of value) {
          const element = writer.startMessage(arrayValueField.values);
          writeAnyValue(writer, item);
          writer.endMessage(element);
        }
        writer.endMessage(array);
      }
      return;
    default:
      return;
  }
}
