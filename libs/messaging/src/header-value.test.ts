import { describe, expect, it } from "vitest";
import { toHeaderValue } from "./header-value.js";

describe("toHeaderValue", () => {
  it("keeps ordinary text", () => {
    expect(toHeaderValue('"openai/gpt-4o" is not a valid model ID.')).toBe('"openai/gpt-4o" is not a valid model ID.');
  });

  it("replaces CR, LF, NUL and other controls with spaces", () => {
    expect(toHeaderValue("a\r\nb\u0000c\u0085d\u2028e")).toBe("a  b c d e");
  });

  it("bounds the length and is never empty", () => {
    expect(Array.from(toHeaderValue("x".repeat(10_000), 50))).toHaveLength(50);
    expect(toHeaderValue("\r\n\u0000")).toBe("error");
    expect(toHeaderValue("")).toBe("error");
  });
});
