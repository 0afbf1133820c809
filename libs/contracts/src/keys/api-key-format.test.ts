import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { apiKeyChecksum, apiKeyPrefixes, isWellFormedApiKey } from "./api-key-format.js";
import { crc32OfAscii } from "./crc32.js";

const random = "0123456789abcdef".repeat(4);
const v2Key = `${apiKeyPrefixes.v2}${random}${apiKeyChecksum(random)}`;

describe("API key format", () => {
  it("computes CRC-32 as zlib does", () => {
    for (let index = 0; index < 200; index++) {
      const text = randomBytes(32).toString("hex");
      expect(crc32OfAscii(text)).toBe(crc32(text));
    }
    expect(crc32OfAscii("")).toBe(0);
    expect(crc32OfAscii("hello").toString(16)).toBe("3610a686");
  });

  it("accepts a v2 key with the right checksum and a well-formed v1 key", () => {
    expect(apiKeyChecksum(random)).toMatch(/^[0-9a-f]{8}$/);
    expect(isWellFormedApiKey(v2Key)).toBe(true);
    expect(isWellFormedApiKey(`${apiKeyPrefixes.v1}${random}`)).toBe(true);
  });

  it("refuses a wrong prefix, length, alphabet or checksum", () => {
    const malformed = [
      "",
      "sk-or-v1-" + random,
      `sk-sb-v3-${random}${apiKeyChecksum(random)}`,
      `SK-SB-V2-${random}${apiKeyChecksum(random)}`,
      v2Key.slice(0, -1),
      `${v2Key}0`,
      v2Key.toUpperCase(),
      `${apiKeyPrefixes.v2}${random.toUpperCase()}${apiKeyChecksum(random)}`,
      `${apiKeyPrefixes.v2}${"g".repeat(64)}${apiKeyChecksum("g".repeat(64))}`,
      `${apiKeyPrefixes.v2}${random}00000000`,
      // One random digit changed: the checksum no longer matches.
      `${apiKeyPrefixes.v2}1${random.slice(1)}${apiKeyChecksum(random)}`,
      // A v1 key carrying a checksum, a v2 key without one.
      `${apiKeyPrefixes.v1}${random}${apiKeyChecksum(random)}`,
      `${apiKeyPrefixes.v2}${random}`,
      ` ${v2Key}`,
      `${v2Key}\n`,
    ];
    for (const token of malformed) expect(isWellFormedApiKey(token), JSON.stringify(token)).toBe(false);
  });

  it("catches every single-digit typo in the random part of a v2 key", () => {
    for (let position = 0; position < 64; position++) {
      const digit = random[position] === "0" ? "1" : "0";
      const typo = `${apiKeyPrefixes.v2}${random.slice(0, position)}${digit}${random.slice(position + 1)}${apiKeyChecksum(random)}`;
      expect(isWellFormedApiKey(typo)).toBe(false);
    }
  });
});
