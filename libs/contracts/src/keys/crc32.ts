/** CRC-32 (IEEE 802.3, the polynomial zlib and PNG use), table-driven. */
const table = new Uint32Array(256);
for (let index = 0; index < 256; index++) {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  table[index] = value >>> 0;
}

/**
 * The CRC-32 of an ASCII string (each character one byte), as an unsigned integer. Pure TypeScript so that
 * libs/contracts stays free of Node modules; for a 64-character input it costs well under a microsecond.
 */
export function crc32OfAscii(text: string): number {
  let crc = 0xffffffff;
  for (let index = 0; index < text.length; index++) {
    crc = (table[(crc ^ text.charCodeAt(index)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
