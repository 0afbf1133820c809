import { chatRequestSchema, type ChatRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { parseJsonBody } from "../plugins/parse-json-body.js";
import { scanJsonText } from "../plugins/scan-json-text.js";
import { promptTokenLowerBound, promptTokenUpperBound as boundWithCount } from "./estimate-tokens.js";

/** The bound as ingress computes it: the raw body with the exponent numbers its one scan found. */
function promptTokenUpperBound(rawBody: string): number {
  return boundWithCount(rawBody, scanJsonText(rawBody).exponentNumbers);
}

/** What travels on to the connector: the validated request, serialized again. */
function reserializedBytes(rawBody: string): number {
  return Buffer.byteLength(JSON.stringify(chatRequestSchema.parse(parseJsonBody(rawBody))), "utf8");
}

describe("promptTokenUpperBound", () => {
  it("is the UTF-8 length of the raw body", () => {
    const rawBody = JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "héllo 🌍" }] });
    expect(promptTokenUpperBound(rawBody)).toBe(Buffer.byteLength(rawBody, "utf8"));
  });

  it.each([
    ["plain", `{"model":"test/echo","messages":[{"role":"user","content":"hi"}]}`],
    ["whitespace and escapes", `{ "model" : "test/echo",\n "messages": [ {"role":"user","content":"\\u00e9\\/\\u0041 \\ud83c\\udf0d"} ] }`],
    ["a lone surrogate", `{"model":"test/echo","messages":[{"role":"user","content":"\\ud800"}]}`],
    ["unknown fields kept", `{"model":"test/echo","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}`],
    ["duplicate keys", `{"model":"test/echo","model":"test/echo","messages":[{"role":"user","content":"hi"}]}`],
    ["numbers with exponents", `{"model":"test/echo","messages":[{"role":"user","content":"hi"}],"max_tokens":1e5,"seed":-1.2345678901234567e-6,"limits":[1e20,1E20,2e+20,1e400]}`],
    ["digits before an e inside strings", `{"model":"test/echo","messages":[{"role":"user","content":"9e9 and \\"3e4\\""}]}`],
  ])("is never below the re-serialized request (%s)", (_name, rawBody) => {
    expect(promptTokenUpperBound(rawBody)).toBeGreaterThanOrEqual(reserializedBytes(rawBody));
  });

  it("counts the growth of numbers written with an exponent, not of text that looks like one", () => {
    const base = `{"model":"test/echo","messages":[{"role":"user","content":"9e9"}]`;
    expect(promptTokenUpperBound(`${base}}`)).toBe(Buffer.byteLength(`${base}}`));
    const withNumber = `${base},"seed":1e20}`;
    expect(reserializedBytes(withNumber) - Buffer.byteLength(withNumber)).toBe(17);
    expect(promptTokenUpperBound(withNumber)).toBe(Buffer.byteLength(withNumber) + 22);
  });
});

/**
 * Texts with a token count they do not go below under OpenAI's cl100k_base (GPT-4): the lower bound must
 * never exceed it, and it should not be so low that the context filter never fires.
 */
const lowerBoundTable: { text: string; runs: number; cl100kTokens: number }[] = [
  { text: "Hello, world!", runs: 2, cl100kTokens: 4 },
  { text: "don't stop", runs: 2, cl100kTokens: 3 },
  { text: "12345", runs: 1, cl100kTokens: 2 },
  { text: "abc123 def", runs: 2, cl100kTokens: 3 },
  { text: "    indented\n\n\tcode();", runs: 2, cl100kTokens: 6 },
  { text: "naïve café", runs: 2, cl100kTokens: 4 },
  { text: "e\u0301t\u00e9", runs: 1, cl100kTokens: 2 },
  { text: "日本語", runs: 1, cl100kTokens: 2 },
  { text: "𝒳𝒴 and 🌍", runs: 2, cl100kTokens: 5 },
  { text: "...!!! ???", runs: 0, cl100kTokens: 3 },
];

describe("promptTokenLowerBound", () => {
  const ask = (content: ChatRequest["messages"][number]["content"]) => ({ model: "m", messages: [{ role: "user", content }] }) as ChatRequest;

  it.each(lowerBoundTable)("counts $runs for $text, never more than its tokens", ({ text, runs, cl100kTokens }) => {
    expect(promptTokenLowerBound(ask(text))).toBe(runs);
    expect(runs).toBeLessThanOrEqual(cl100kTokens);
  });

  it("adds up the text of every message and text part, and counts nothing for other parts", () => {
    const request = {
      model: "m",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: [{ type: "text", text: "one two three" }, { type: "image_url", image_url: { url: "https://example.com/a-b-c.png" } }] },
        { role: "assistant", content: null, tool_calls: [] },
      ],
    } as unknown as ChatRequest;
    expect(promptTokenLowerBound(request)).toBe(5);
  });

  it("stays below the upper bound on a long prompt", () => {
    const content = "The quick brown fox jumps over the lazy dog. ".repeat(500);
    const rawBody = JSON.stringify({ model: "m", messages: [{ role: "user", content }] });
    expect(promptTokenLowerBound(ask(content))).toBe(4_500);
    expect(promptTokenLowerBound(ask(content))).toBeLessThan(promptTokenUpperBound(rawBody));
  });
});
