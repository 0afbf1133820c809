import { chatRequestSchema, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { checkSupportedRequest } from "./check-supported-request.js";

const request = (extra: object) => chatRequestSchema.parse({ model: "a/b", messages: [{ role: "user", content: "hi" }], ...extra });

describe("checkSupportedRequest", () => {
  it("accepts text, in strings and in text parts", () => {
    expect(() => checkSupportedRequest(request({}))).not.toThrow();
    expect(() => checkSupportedRequest(request({ n: 1, messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] }))).not.toThrow();
  });

  it("refuses image parts and n > 1 with 400 unsupported_parameter", () => {
    for (const extra of [{ n: 2 }, { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }] }]) {
      try {
        checkSupportedRequest(request(extra));
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(SwitchboardError);
        expect((error as SwitchboardError).error).toMatchObject({ status: 400, code: "unsupported_parameter" });
      }
    }
  });
});
