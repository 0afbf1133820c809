import { describe, expect, it } from "vitest";
import { parseJsonBody } from "./parse-json-body.js";

describe("parseJsonBody", () => {
  it("parses ordinary JSON, including brackets inside strings", () => {
    expect(parseJsonBody('{"a":[1,{"b":"[[[{{{\\"]]"}]}')).toEqual({ a: [1, { b: '[[[{{{"]]' }] });
  });

  it("refuses absurd nesting without recursing", () => {
    expect(() => parseJsonBody("[".repeat(100_000) + "]".repeat(100_000))).toThrow(/nesting deeper than 64/);
    expect(parseJsonBody("[".repeat(64) + "]".repeat(64))).toBeDefined();
  });

  it("reports malformed JSON", () => {
    expect(() => parseJsonBody('{"model": ')).toThrow(/not valid JSON/);
  });
});
