import { chatRequestSchema, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { checkSupportedRequest } from "./check-supported-request.js";

const request = (extra: object) => chatRequestSchema.parse({ model: "a/b", messages: [{ role: "user", content: "hi" }], ...extra });

describe("checkSupportedRequest", () => {
  it("accepts text, in strings and in text parts", () => {
    expect(() => checkSupportedRequest(request({}))).not.toThrow();
    expect(() => checkSupportedRequest(request({ n: 1, messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] }))).not.toThrow();
  });

  it("accepts image parts, which routing sends only to endpoints taking image input", () => {
    const image = { type: "image_url", image_url: { url: "https://x/y.png" } };
    expect(() => checkSupportedRequest(request({ messages: [{ role: "user", content: [{ type: "text", text: "what is it" }, image] }] }))).not.toThrow();
  });

  it("refuses audio parts and n > 1 with 400 unsupported_parameter", () => {
    for (const extra of [{ n: 2 }, { messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }] }] }]) {
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
