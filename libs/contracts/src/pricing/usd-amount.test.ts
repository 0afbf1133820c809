import { describe, expect, it } from "vitest";
import { formatMicrosAsUsd, formatPicosAsUsd, parseSignedUsdToMicros, parseUsdPerTokenToPicos, parseUsdToMicros } from "./usd-amount.js";

describe("USD conversions", () => {
  it("parses USD amounts exactly, with up to six decimal places", () => {
    expect(parseUsdToMicros("10.00")).toBe(10_000_000);
    expect(parseUsdToMicros("0.000001")).toBe(1);
    expect(parseUsdToMicros("123")).toBe(123_000_000);
    expect(() => parseUsdToMicros("0.0000001")).toThrow(/more than 6 decimal places/);
    expect(() => parseUsdToMicros("-1")).toThrow(/not a non-negative decimal/);
    expect(() => parseUsdToMicros("1e3")).toThrow();
  });

  it("parses signed USD amounts, refusing a sign anywhere else", () => {
    expect(parseSignedUsdToMicros("-2.25")).toBe(-2_250_000);
    expect(parseSignedUsdToMicros(" 1.5 ")).toBe(1_500_000);
    expect(parseSignedUsdToMicros("-0.000001")).toBe(-1);
    expect(() => parseSignedUsdToMicros("--1")).toThrow(/not a non-negative decimal/);
    expect(() => parseSignedUsdToMicros("+1")).toThrow(/not a non-negative decimal/);
    expect(() => parseSignedUsdToMicros("-1.0000001")).toThrow(/more than 6 decimal places/);
  });

  it("round-trips per-token prices through pico-dollars", () => {
    for (const price of ["0.00000015", "0.0000006", "0.00003", "0", "0.0000000375"]) {
      expect(formatPicosAsUsd(parseUsdPerTokenToPicos(price))).toBe(price);
    }
  });

  it("formats micro-dollars", () => {
    expect(formatMicrosAsUsd(10_500_000)).toBe("10.5");
    expect(formatMicrosAsUsd(1)).toBe("0.000001");
    expect(formatMicrosAsUsd(-2_000_000)).toBe("-2");
  });
});
