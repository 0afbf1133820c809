import { SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { parseToolCallArguments } from "./parse-tool-call-arguments.js";

describe("parseToolCallArguments", () => {
  it("parses the JSON text of a tool call, and takes an empty string as no arguments", () => {
    expect(parseToolCallArguments('{"city":"Paris"}', "messages.1.tool_calls.0.function.arguments", "the Gemini API")).toEqual({ city: "Paris" });
    expect(parseToolCallArguments("  ", "messages.1.tool_calls.0.function.arguments", "the Gemini API")).toEqual({});
  });

  it("refuses text that is not JSON with a non-retryable 400 naming where it is and which API needs it", () => {
    let thrown: unknown;
    try {
      parseToolCallArguments("{city: Paris", "messages.1.tool_calls.0.function.arguments", "Bedrock");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwitchboardError);
    expect((thrown as SwitchboardError).error).toMatchObject({
      status: 400,
      code: "unsupported_parameter",
      retryable: false,
      message: "messages.1.tool_calls.0.function.arguments: tool call arguments must be a JSON object for Bedrock",
      metadata: { parameter: "messages.1.tool_calls.0.function.arguments" },
    });
  });
});
