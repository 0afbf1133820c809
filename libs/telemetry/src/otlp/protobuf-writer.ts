/** The protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
export const wireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const twoToThe32 = 0x1_0000_0000;

/**
 * Writes protobuf into one growing buffer, in a single pass: a nested message reserves one byte for its
 * length and moves its body up in the rare case it needs more (a span of 128 bytes or more). It is kept
 * and reused, so encoding a span allocates nothing once the buffer is big enough.
 */
export class ProtobufWriter {
  private bytes: Buffer;
  /** Where the next byte goes; also the number of bytes written. */
  position = 0;

  constructor(initialSize = 64 * 1024) {
    this.bytes = Buffer.allocUnsafe(initialSize);
  }

  /** The bytes written so far, not copied: valid until the next write or `truncate`. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.position);
  }

  /** Forgets everything from `position` on. */
  truncate(position: number): void {
    this.position = position;
  }

  tag(fieldNumber: number, type: number): void {
    this.varint((fieldNumber << 3) | type);
  }

  /** A non-negative integer up to 2^53, as a varint. */
  varint(value: number): void {
    this.reserve(10);
    const bytes = this.bytes;
    let position = this.position;
    while (value >= 0x80) {
      bytes[position++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    bytes[position++] = value;
    this.position = position;
  }

  /** Any safe integer as an int64 varint: a negative one is its two's complement, ten bytes long. */
  int64(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    const high = Math.floor(value / twoToThe32);
    this.varint64(value - high * twoToThe32, high + twoToThe32);
  }

  fixed32(value: number): void {
    this.reserve(4);
    this.bytes.writeUInt32LE(value >>> 0, this.position);
    this.position += 4;
  }

  /** A non-negative integer up to 2^64, given as its low and high 32 bits. */
  fixed64(low: number, high: number): void {
    this.reserve(8);
    this.bytes.writeUInt32LE(low >>> 0, this.position);
    this.bytes.writeUInt32LE(high >>> 0, this.position + 4);
    this.position += 8;
  }

  double(value: number): void {
    this.reserve(8);
    this.bytes.writeDoubleLE(value, this.position);
    this.position += 8;
  }

  /** A length-delimited UTF-8 string. */
  string(value: string): void {
    const length = value.length;
    let ascii = true;
    for (let index = 0; index < length; index++) {
      if (value.charCodeAt(index) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      const byteLength = Buffer.byteLength(value, "utf8");
      this.varint(byteLength);
      this.reserve(byteLength);
      this.position += this.bytes.write(value, this.position, byteLength, "utf8");
      return;
    }
    this.varint(length);
    this.reserve(length);
    const bytes = this.bytes;
    let position = this.position;
    for (let index = 0; index < length; index++) bytes[position++] = value.charCodeAt(index);
    this.position = position;
  }

  /** Length-delimited bytes given as hex digits (a trace or span id), converted without an intermediate array. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.varint(length);
    this.reserve(length);
    const bytes = this.bytes;
    let position = this.position;
    for (let index = 0; index < hex.length; index += 2) {
      bytes[position++] = (hexDigit(hex.charCodeAt(index)) << 4) | hexDigit(hex.charCodeAt(index + 1));
    }
    this.position = position;
  }

  /** Bytes already encoded, as they are (a message body written elsewhere). */
  raw(encoded: Uint8Array): void {
    this.reserve(encoded.length);
    this.bytes.set(encoded, this.position);
    this.position += encoded.length;
  }

  /** Opens a length-delimited field `fieldNumber`; returns what `endMessage` needs. */
  startMessage(fieldNumber: number): number {
    this.tag(fieldNumber, wireType.lengthDelimited);
    this.reserve(1);
    return this.position++;
  }

  /** Closes the field opened at `lengthAt`, writing its length there (moving the body when it takes more than one byte). */
  endMessage(lengthAt: number): void {
    const length = this.position - lengthAt - 1;
    if (length < 0x80) {
      this.bytes[lengthAt] = length;
      return;
    }
    const extra = varintSize(length) - 1;
    this.reserve(extra);
    this.bytes.copyWithin(lengthAt + 1 + extra, lengthAt + 1, this.position);
    this.position += extra;
    let value = length;
    let position = lengthAt;
    while (value >= 0x80) {
      this.bytes[position++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.bytes[position] = value;
  }

  private varint64(low: number, high: number): void {
    this.reserve(10);
    const bytes = this.bytes;
    let position = this.position;
    // 64 bits in 7-bit groups: the low word's first four, one straddling both words, then the high word's.
    for (let group = 0; group < 4; group++) {
      bytes[position++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
    let straddling = low | ((high & 0x07) << 4);
    high >>>= 3;
    while (high !== 0) {
      bytes[position++] = straddling | 0x80;
      straddling = high & 0x7f;
      high >>>= 7;
    }
    bytes[position++] = straddling;
    this.position = position;
  }

  private reserve(size: number): void {
    if (this.position + size <= this.bytes.length) return;
    let grown = this.bytes.length * 2;
    while (grown < this.position + size) grown *= 2;
    const bytes = Buffer.allocUnsafe(grown);
    this.bytes.copy(bytes, 0, 0, this.position);
    this.bytes = bytes;
  }
}

function hexDigit(code: number): number {
  // 0-9, a-f, A-F; ids are lower-case hex, but a propagated one need not be.
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}
