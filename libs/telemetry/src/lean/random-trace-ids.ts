import { randomFillSync } from "node:crypto";

/** Random bytes drawn 8 KiB at a time: one system call per few hundred spans, not one per id. */
const pool = Buffer.allocUnsafe(8 * 1024);
let offset = pool.length;

/** `bytes` random bytes as lower-case hex: 16 for a trace id, 8 for a span id (W3C trace context). */
export function randomTraceIdHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  return hex;
}
