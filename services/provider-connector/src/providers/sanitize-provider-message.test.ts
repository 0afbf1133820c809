import { describe, expect, it } from "vitest";
import { maximumProviderMessageLength, sanitizeProviderMessage } from "./sanitize-provider-message.js";

describe("sanitizeProviderMessage", () => {
  it("keeps an ordinary message as it is", () => {
    expect(sanitizeProviderMessage("Overloaded")).toBe("Overloaded");
  });

  it("turns line breaks, NUL, ESC and Unicode line separators into single spaces", () => {
    expect(sanitizeProviderMessage("* contents is not specified\r\n\u0000\u001b[31mred\u2028end\n")).toBe("* contents is not specified [31mred end");
  });

  it("bounds the length by characters, marking the cut, without splitting an emoji", () => {
    const message = sanitizeProviderMessage("😀".repeat(maximumProviderMessageLength + 5));
    expect(Array.from(message)).toHaveLength(maximumProviderMessageLength + 1);
    expect(message.endsWith("😀…")).toBe(true);
  });

  it("cuts a huge body without reading all of it", () => {
    const message = sanitizeProviderMessage(`<html>${"x".repeat(5_000_000)}</html>`);
    expect(message.length).toBe(maximumProviderMessageLength + 1);
  });
});
