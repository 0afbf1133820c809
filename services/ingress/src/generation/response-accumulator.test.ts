import { describe, expect, it } from "vitest";
import { chatResponseSchema } from "@switchboard/contracts";
import { buildChatResponse } from "./build-chat-payloads.js";
import { ResponseAccumulator } from "./response-accumulator.js";

describe("ResponseAccumulator", () => {
  it("places an embeddings generation's vectors by input index, and holds none for chat", () => {
    const accumulator = new ResponseAccumulator();
    expect(accumulator.embeddings).toEqual([]);
    accumulator.add({ type: "embedding", seq: 1, index: 1, embedding: [2] });
    expect(accumulator.producedOutput).toBe(true);
    accumulator.add({ type: "embedding", seq: 2, index: 0, embedding: [1] });
    expect(accumulator.embeddings).toEqual([[1], [2]]);
  });

  it("folds text, reasoning, tool calls, finish and usage", () => {
    const accumulator = new ResponseAccumulator();
    accumulator.add({ type: "stream-start", seq: 0, upstreamId: "chatcmpl-1" });
    accumulator.add({ type: "reasoning-delta", seq: 1, text: "thinking" });
    accumulator.add({ type: "text-delta", seq: 2, text: "Hel" });
    accumulator.add({ type: "text-delta", seq: 3, text: "lo é" });
    accumulator.add({ type: "tool-call-delta", seq: 4, index: 0, id: "call_1", name: "get_", argumentsDelta: '{"a":' });
    accumulator.add({ type: "tool-call-delta", seq: 5, index: 0, name: "weather", argumentsDelta: "1}" });
    accumulator.add({ type: "finish", seq: 6, finishReason: "tool_calls", nativeFinishReason: "tool_calls" });
    accumulator.add({ type: "usage", seq: 7, usage: { promptTokens: 3, completionTokens: 4, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 1 } });
    expect(accumulator).toMatchObject({
      text: "Hello é",
      reasoning: "thinking",
      upstreamId: "chatcmpl-1",
      finishReason: "tool_calls",
      producedOutput: true,
      usage: { promptTokens: 3, completionTokens: 4 },
    });
    expect(accumulator.toolCalls).toEqual([{ id: "call_1", name: "get_weather", arguments: '{"a":1}' }]);
    expect(accumulator.outputBytes()).toBe(Buffer.byteLength("Hello éthinkingget_weather{\"a\":1}"));
  });

  it("has produced nothing until an output part arrives", () => {
    const accumulator = new ResponseAccumulator();
    accumulator.add({ type: "stream-start", seq: 0, upstreamId: null });
    accumulator.add({ type: "heartbeat", seq: 1 });
    expect(accumulator.producedOutput).toBe(false);
    expect(accumulator.outputBytes()).toBe(0);
  });

  it("folds a refusal and token log probabilities, which the response then carries", () => {
    const token = { token: "No", logprob: -0.5, bytes: [78, 111], top_logprobs: [] };
    const accumulator = new ResponseAccumulator();
    accumulator.add({ type: "stream-start", seq: 0, upstreamId: null });
    accumulator.add({ type: "logprobs-delta", seq: 1, content: [token] });
    accumulator.add({ type: "refusal-delta", seq: 2, text: "No" });
    accumulator.add({ type: "logprobs-delta", seq: 3, refusal: [token] });
    expect(accumulator.producedOutput).toBe(true);
    expect(accumulator.outputBytes()).toBe(2);
    const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cost: 0, is_byok: false };
    const response = buildChatResponse({ id: "gen-1", created: 1, model: "m", provider: "P" }, accumulator, usage);
    expect(chatResponseSchema.parse(response).choices[0]).toMatchObject({
      message: { content: null, refusal: "No" },
      logprobs: { content: [token], refusal: [token] },
    });
    const plain = buildChatResponse({ id: "gen-1", created: 1, model: "m", provider: "P" }, new ResponseAccumulator(), usage);
    expect(plain.choices[0]).toMatchObject({ logprobs: null, message: { content: "", refusal: null } });
  });

  it("rebuilds reasoning_details from their pieces, which the response carries beside the reasoning text", () => {
    const format = "anthropic-claude-v1";
    const accumulator = new ResponseAccumulator();
    accumulator.add({ type: "stream-start", seq: 0, upstreamId: "msg_1" });
    accumulator.add({ type: "reasoning-delta", seq: 1, text: "Hmm. ", detail: { type: "reasoning.text", text: "Hmm. ", format, index: 0 } });
    accumulator.add({ type: "reasoning-delta", seq: 2, text: "Paris.", detail: { type: "reasoning.text", text: "Paris.", format, index: 0 } });
    accumulator.add({ type: "reasoning-detail", seq: 3, detail: { type: "reasoning.text", signature: "EqQB", format, index: 0 } });
    accumulator.add({ type: "tool-call-delta", seq: 4, index: 0, id: "toolu_1", name: "get_weather", argumentsDelta: "{}" });
    accumulator.add({ type: "finish", seq: 5, finishReason: "tool_calls", nativeFinishReason: "tool_use" });
    const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cost: 0, is_byok: false };
    const response = buildChatResponse({ id: "gen-1", created: 1, model: "m", provider: "P" }, accumulator, usage);
    expect(chatResponseSchema.parse(response).choices[0]?.message).toEqual({
      role: "assistant",
      content: null,
      refusal: null,
      reasoning: "Hmm. Paris.",
      reasoning_details: [{ type: "reasoning.text", text: "Hmm. Paris.", signature: "EqQB", format, index: 0 }],
      tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
    });
    const plain = buildChatResponse({ id: "gen-1", created: 1, model: "m", provider: "P" }, new ResponseAccumulator(), usage);
    expect(plain.choices[0]?.message).not.toHaveProperty("reasoning_details");
  });
});
