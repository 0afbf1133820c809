import { textCompletionSchema } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { buildTextCompletion, convertLogprobsToCompletion } from "./build-text-completion-payloads.js";
import { ResponseAccumulator } from "./response-accumulator.js";

const identity = { id: "gen-1", created: 1, model: "test/echo", provider: "Primary Labs" };
const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, cost: 0.00001, is_byok: false };

describe("text completion payloads", () => {
  it("answers the chat text in the completions shape", () => {
    const accumulator = new ResponseAccumulator();
    accumulator.add({ type: "text-delta", seq: 1, text: "This is a test." });
    accumulator.add({ type: "finish", seq: 2, finishReason: "length", nativeFinishReason: "length" });
    const completion = buildTextCompletion(identity, accumulator, usage, null);
    expect(textCompletionSchema.parse(completion)).toEqual(completion);
    expect(completion).toMatchObject({ object: "text_completion", choices: [{ text: "This is a test.", index: 0, logprobs: null, finish_reason: "length" }], usage });
  });

  it("turns chat's per-token log probabilities into parallel arrays with text offsets", () => {
    const tokens = [
      { token: "Hi", logprob: -0.1, bytes: null, top_logprobs: [{ token: "Hi", logprob: -0.1, bytes: null }, { token: "Hey", logprob: -2, bytes: null }] },
      { token: " there", logprob: -0.5, bytes: null, top_logprobs: [{ token: " there", logprob: -0.5, bytes: null }] },
    ];
    expect(convertLogprobsToCompletion(tokens, 2, 3)).toEqual({
      tokens: ["Hi", " there"],
      token_logprobs: [-0.1, -0.5],
      top_logprobs: [{ Hi: -0.1, Hey: -2 }, { " there": -0.5 }],
      text_offset: [3, 5],
    });
    expect(convertLogprobsToCompletion(tokens, 0).top_logprobs).toBeNull();
  });
});
