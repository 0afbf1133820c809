import { crc32OfAscii } from "./crc32.js";

/**
 * The two forms of a Switchboard API key (issue 10). Every key starts with a prefix that secret scanners and
 * humans recognise, then 256 random bits as 64 lowercase hex digits:
 * - `sk-sb-v2-<64 hex><8 hex>`: what billing issues; the last 8 hex digits are the CRC-32 of the 64 random
 *   ones, so ingress refuses a mistyped, truncated or invented key without asking billing or the database;
 * - `sk-sb-v1-<64 hex>`: the earlier form, without a checksum, still accepted because such keys exist.
 * Billing generates keys with `apiKeyChecksum`; ingress checks them with `isWellFormedApiKey`.
 */
export const apiKeyPrefixes = { v1: "sk-sb-v1-", v2: "sk-sb-v2-" } as const;

const randomHexLength = 64;
const checksumHexLength = 8;
const v1Pattern = /^sk-sb-v1-[0-9a-f]{64}$/;
const v2Pattern = /^sk-sb-v2-[0-9a-f]{72}$/;

/** The checksum of a v2 key: the CRC-32 of its 64 random hex digits, as 8 lowercase hex digits. */
export function apiKeyChecksum(randomHex: string): string {
  return crc32OfAscii(randomHex).toString(16).padStart(checksumHexLength, "0");
}

/**
 * True for a key of either form whose prefix, length, characters (lowercase hex) and, for v2, checksum are
 * right. Says nothing about whether the key exists: only billing knows that.
 */
export function isWellFormedApiKey(token: string): boolean {
  if (v2Pattern.test(token)) {
    const random = token.slice(apiKeyPrefixes.v2.length, apiKeyPrefixes.v2.length + randomHexLength);
    return token.slice(apiKeyPrefixes.v2.length + randomHexLength) === apiKeyChecksum(random);
  }
  return v1Pattern.test(token);
}
