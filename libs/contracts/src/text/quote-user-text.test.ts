import { describe, expect, it } from "vitest";
import { hasControlCharacters } from "./control-characters.js";
import { quoteUserText } from "./quote-user-text.js";

describe("quoteUserText", () => {
  it("quotes plain text as a JSON string", () => {
    expect(quoteUserText("openai/gpt-4o")).toBe('"openai/gpt-4o"');
    expect(quoteUserText('say "hi"')).toBe('"say \\"hi\\""');
  });

  it("escapes every control character, so the result is one line", () => {
    const quoted = quoteUserText("a\r\nb\u0000c\u007fd\u0085e\u2028f\u001b[31m");
    expect(quoted).toBe('"a\\r\\nb\\u0000c\\u007fd\\u0085e\\u2028f\\u001b[31m"');
    expect(hasControlCharacters(quoted)).toBe(false);
    expect(JSON.parse(quoted)).toBe("a\r\nb\u0000c\u007fd\u0085e\u2028f\u001b[31m");
  });

  it("bounds the length, counting characters rather than UTF-16 units", () => {
    expect(quoteUserText("x".repeat(10_000), 20)).toBe(`"${"x".repeat(20)}…"`);
    expect(quoteUserText("😀".repeat(5), 3)).toBe('"😀😀😀…"');
    expect(quoteUserText("short", 5)).toBe('"short"');
  });

  it("escapes lone surrogates instead of passing broken UTF-16 on", () => {
    expect(quoteUserText("a\ud800b")).toBe('"a\\ud800b"');
  });
});
