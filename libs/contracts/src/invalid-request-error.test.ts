import { describe, expect, it } from "vitest";
import { z } from "zod";
import { invalidRequestError } from "./invalid-request-error.js";
import { hasControlCharacters } from "./text/control-characters.js";

const errorFor = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error("expected a schema failure");
  return invalidRequestError(parsed.error);
};

describe("invalidRequestError", () => {
  it("names the field of the first problem and lists the first ten", () => {
    const error = errorFor(z.object({ messages: z.array(z.object({ role: z.enum(["user"]) })) }), { messages: Array.from({ length: 20 }, () => ({ role: "x" })) });
    expect(error).toMatchObject({ code: "invalid_request", status: 400, retryable: false });
    expect(error.message).toMatch(/^Invalid request: messages\.0\.role: /);
    expect(error.metadata?.["issues"]).toHaveLength(10);
  });

  it("quotes and bounds unknown keys and odd path segments instead of repeating them", () => {
    const keys = Object.fromEntries(Array.from({ length: 8 }, (_value, index) => [`k${index}\r\n${"x".repeat(1_000)}`, 1]));
    const strict = errorFor(z.strictObject({}), keys);
    expect(strict.message).toMatch(/^Invalid request: unrecognized keys "k0\\r\\nx+…", .* and 3 more$/);
    expect(hasControlCharacters(strict.message)).toBe(false);
    expect(strict.message.length).toBeLessThan(400);

    const record = errorFor(z.record(z.string(), z.number()), { [`bad\u0000${"y".repeat(500)}`]: "not a number" });
    expect(record.message).toMatch(/^Invalid request: "bad\\u0000y+…": /);
  });
});
