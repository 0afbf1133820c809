import { chatRequestSchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { parseJsonBody } from "../plugins/parse-json-body.js";
import { scanJsonText } from "../plugins/scan-json-text.js";
import { promptTokenUpperBound as boundWithCount } from "./estimate-tokens.js";

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
