import { describe, expect, it } from "vitest";
import { usdNumberToMicros } from "./usd-number-to-micros.js";

describe("usdNumberToMicros", () => {
  it("converts the decimal the client wrote, without float error", () => {
    expect(usdNumberToMicros(0)).toBe(0);
    expect(usdNumberToMicros(-0)).toBe(0);
    expect(usdNumberToMicros(10)).toBe(10_000_000);
    expect(usdNumberToMicros(0.29)).toBe(290_000);
    expect(usdNumberToMicros(1.1)).toBe(1_100_000);
    expect(usdNumberToMicros(0.000001)).toBe(1);
    expect(usdNumberToMicros(0.0005)).toBe(500);
    expect(usdNumberToMicros(123456.789012)).toBe(123_456_789_012);
    // Written with an exponent by JavaScript, still exact.
    expect(usdNumberToMicros(1e-6)).toBe(1);
    expect(usdNumberToMicros(5e-6)).toBe(5);
    expect(usdNumberToMicros(1e9)).toBe(1_000_000_000_000_000);
  });

  it("agrees with the decimal string for many amounts that are inexact as floats", () => {
    for (let micros = 0; micros < 3_000_000; micros += 997) {
      const text = `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
      expect(usdNumberToMicros(Number(text))).toBe(micros);
    }
  });

  it("refuses more than six decimal places, negative, non-finite and too large amounts", () => {
    expect(() => usdNumberToMicros(0.0000001)).toThrow(/more than 6 decimal places/);
    expect(() => usdNumberToMicros(1.0000001)).toThrow(/more than 6 decimal places/);
    expect(() => usdNumberToMicros(1.5e-7)).toThrow(/more than 6 decimal places/);
    expect(() => usdNumberToMicros(-1)).toThrow(/non-negative/);
    expect(() => usdNumberToMicros(Number.NaN)).toThrow(/non-negative/);
    expect(() => usdNumberToMicros(Number.POSITIVE_INFINITY)).toThrow(/non-negative/);
    expect(() => usdNumberToMicros(1e21)).toThrow(/too large/);
  });
});
