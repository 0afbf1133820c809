import { describe, expect, it } from "vitest";
import { priceLimitInPicos, priceLimitInPicosPerToken } from "./price-limit.js";

describe("priceLimitInPicosPerToken", () => {
  // USD per million tokens → pico-dollars per token: × 10^6, without floats.
  it.each([
    [1, 1_000_000n],
    ["1", 1_000_000n],
    [0.15, 150_000n],
    ["0.15", 150_000n],
    [0.3, 300_000n],
    [0, 0n],
    ["2.0000005", 2_000_000n],
    [1.5e-7, 0n],
    [1e-6, 1n],
    [2.5e-5, 25n],
    [1e21, 1_000_000_000_000_000_000_000_000_000n],
    ["123456789012.123456789", 123_456_789_012_123_456n],
  ])("%s USD per million tokens is %s picos per token", (limit, picos) => {
    expect(priceLimitInPicosPerToken(limit)).toBe(picos);
  });
});

describe("priceLimitInPicos", () => {
  // USD per request or per image → pico-dollars: × 10^12, without floats.
  it.each([
    [1, 1_000_000_000_000n],
    ["0.005", 5_000_000_000n],
    [0.001, 1_000_000_000n],
    [0, 0n],
    [1e-13, 0n],
    ["0.0000000000019", 1n],
  ])("%s USD is %s picos", (limit, picos) => {
    expect(priceLimitInPicos(limit)).toBe(picos);
  });
});
