import { describe, expect, it } from "vitest";
import { mapOpenAIFinishReason } from "./map-openai-finish-reason.js";

describe("mapOpenAIFinishReason", () => {
  it.each([
    ["stop", "stop"],
    ["length", "length"],
    ["tool_calls", "tool_calls"],
    ["content_filter", "content_filter"],
    ["function_call", "tool_calls"],
    ["eos", "stop"],
  ] as const)("maps %s to %s and keeps the native value", (native, expected) => {
    expect(mapOpenAIFinishReason(native)).toEqual({ finishReason: expected, nativeFinishReason: native });
  });

  it("maps a missing reason to stop without a native value", () => {
    expect(mapOpenAIFinishReason(null)).toEqual({ finishReason: "stop", nativeFinishReason: null });
  });
});
