import { describe, expect, it } from "vitest";
import { chooseOutputCapParameter, openAIReasoningModelPattern } from "./output-cap-parameter.js";

describe("chooseOutputCapParameter", () => {
  it.each(["o1", "o1-mini", "o3", "o3-mini-2025-01-31", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5.1", "gpt-5-nano-2025-08-07", "ft:o4-mini-2025-04-16:acme::abc"])(
    "sends max_completion_tokens to OpenAI's reasoning model %s",
    (model) => expect(chooseOutputCapParameter(model, openAIReasoningModelPattern)).toBe("max_completion_tokens"),
  );

  it.each(["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-3.5-turbo", "omni-moderation-latest", "ollama/o3-like"])("sends max_tokens to %s", (model) => {
    expect(chooseOutputCapParameter(model, openAIReasoningModelPattern)).toBe("max_tokens");
  });

  it("sends max_tokens when the vendor names no pattern", () => {
    expect(chooseOutputCapParameter("o3", undefined)).toBe("max_tokens");
  });
});
