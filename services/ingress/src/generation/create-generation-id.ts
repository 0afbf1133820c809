import { randomBytes } from "node:crypto";

/**
 * `gen-` + a UUIDv7: time-ordered (so ids sort by creation, which keeps B-tree inserts cheap) and
 * random enough that nobody can guess another account's generation id.
 */
export function createGenerationId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70; // version 7
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString("hex");
  return `gen-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
