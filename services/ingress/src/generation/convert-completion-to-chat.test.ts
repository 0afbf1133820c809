import { gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { convertCompletionToChat } from "./convert-completion-to-chat.js";

function refusal(body: unknown): SwitchboardError["error"] {
  try {
    convertCompletionToChat(body);
  } catch (error) {
    if (error instanceof SwitchboardError) return error.error;
    throw error;
  }
  throw new Error("accepted");
}

describe("legacy completions served on chat", () => {
  it("puts the prompt in one user message and keeps chat's own fields", () => {
    const { chat, logprobs } = convertCompletionToChat({ model: "test/echo", prompt: "Say this is a test", max_tokens: 7, temperature: 0, stop: ["\n"], stream: true, provider: { sort: "price" } });
    expect(chat).toEqual({ model: "test/echo", messages: [{ role: "user", content: "Say this is a test" }], max_tokens: 7, temperature: 0, stop: ["\n"], stream: true, provider: { sort: "price" } });
    expect(logprobs).toBeNull();
  });

  it("takes an array of one prompt, and logprobs N as chat's logprobs with N alternatives", () => {
    const { chat, logprobs } = convertCompletionToChat({ model: "test/echo", prompt: ["only one"], logprobs: 2, echo: false, best_of: 1, suffix: "" });
    expect(chat).toEqual({ model: "test/echo", messages: [{ role: "user", content: "only one" }], logprobs: true, top_logprobs: 2 });
    expect(logprobs).toBe(2);
  });

  it("refuses what chat cannot express with a 400 naming the parameter, never approximating it", () => {
    expect(refusal({ model: "test/echo", prompt: ["one", "two"] })).toMatchObject({ status: 400, code: gatewayErrorCodes.unsupportedParameter, metadata: { parameter: "prompt" } });
    expect(refusal({ model: "test/echo", prompt: [1, 2, 3] })).toMatchObject({ status: 400, metadata: { parameter: "prompt" } });
    expect(refusal({ model: "test/echo", prompt: "x", echo: true })).toMatchObject({ status: 400, metadata: { parameter: "echo" } });
    expect(refusal({ model: "test/echo", prompt: "x", suffix: "end" })).toMatchObject({ status: 400, metadata: { parameter: "suffix" } });
    expect(refusal({ model: "test/echo", prompt: "x", best_of: 3 })).toMatchObject({ status: 400, metadata: { parameter: "best_of" } });
  });

  it("validates like chat: a missing prompt, a bad temperature or no model is a 400", () => {
    expect(refusal({ model: "test/echo" })).toMatchObject({ status: 400, code: gatewayErrorCodes.invalidRequest });
    expect(refusal({ model: "test/echo", prompt: "x", temperature: 3 })).toMatchObject({ status: 400, code: gatewayErrorCodes.invalidRequest });
    expect(refusal({ prompt: "x" })).toMatchObject({ status: 400 });
    expect(refusal(["x"])).toMatchObject({ status: 400 });
  });
});
