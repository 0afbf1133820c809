import { gatewayErrorCodes, SwitchboardError } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { anthropicAdapter } from "./anthropic-adapter.js";

function event(data: unknown) {
  return { data: JSON.stringify(data) };
}

describe("anthropic adapter", () => {
  it("posts to /v1/messages below the version-less base URL with the API version header and the key in x-api-key", () => {
    const request = anthropicAdapter.toUpstreamRequest({
      body: { messages: [{ role: "user", content: "Hi" }] },
      upstreamModel: "claude-haiku-4-5",
      stream: true,
      maxCompletionTokens: 100,
      baseUrl: "https://api.anthropic.com",
    });
    expect(request.url).toBe("https://api.anthropic.com/v1/messages");
    expect(request.headers).toEqual({ "content-type": "application/json", accept: "text/event-stream", "anthropic-version": "2023-06-01" });
    expect(request.credential).toEqual({ scheme: "header", headerName: "x-api-key" });
    expect(request.body).toMatchObject({ model: "claude-haiku-4-5", max_tokens: 100, stream: true });
  });

  it("sends the API version the catalog pins for the provider instead of the default", () => {
    const request = anthropicAdapter.toUpstreamRequest({
      body: { messages: [{ role: "user", content: "Hi" }] },
      upstreamModel: "claude-haiku-4-5",
      stream: false,
      maxCompletionTokens: 100,
      baseUrl: "https://api.anthropic.com",
      apiVersion: "2026-10-21",
    });
    expect(request.headers["anthropic-version"]).toBe("2026-10-21");
  });

  it("reports cache reads and writes inside prompt_tokens, reads as cached, and thinking as reasoning", () => {
    const { parts } = anthropicAdapter.fromUpstreamResponse({
      id: "msg_1",
      type: "message",
      content: [
        { type: "thinking", thinking: "Let me think.", signature: "sig" },
        { type: "text", text: "Paris." },
        { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "x" } },
      ],
      stop_reason: "tool_use",
      usage: { input_tokens: 10, cache_creation_input_tokens: 200, cache_read_input_tokens: 1_000, output_tokens: 30 },
    });
    expect(parts).toEqual([
      { type: "stream-start", upstreamId: "msg_1" },
      { type: "reasoning-delta", text: "Let me think." },
      { type: "text-delta", text: "Paris." },
      { type: "tool-call-delta", index: 0, id: "toolu_1", name: "lookup", argumentsDelta: '{"q":"x"}' },
      { type: "finish", finishReason: "tool_calls", nativeFinishReason: "tool_use" },
      { type: "usage", usage: { promptTokens: 1_210, completionTokens: 30, cachedPromptTokens: 1_000, cacheWriteTokens: 200, reasoningTokens: 0 } },
    ]);
  });

  it("numbers streamed tool calls among tool_use blocks only, and takes input usage from message_start", () => {
    const state = anthropicAdapter.createStreamState();
    const parts = [
      event({ type: "message_start", message: { id: "msg_2", usage: { input_tokens: 5, cache_read_input_tokens: 7, output_tokens: 1 } } }),
      event({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking." } }),
      event({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_a", name: "a", input: {} } }),
      event({ type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_b", name: "b", input: {} } }),
      event({ type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"x":1}' } }),
      event({ type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "{}" } }),
      event({ type: "some_future_event", detail: 1 }),
      event({ type: "message_delta", delta: { stop_reason: "max_tokens" }, usage: { output_tokens: 40 } }),
      event({ type: "message_stop" }),
      event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "after the end" } }),
    ].flatMap((item) => anthropicAdapter.fromUpstreamStreamEvent(item, state));
    expect(parts).toEqual([
      { type: "stream-start", upstreamId: "msg_2" },
      { type: "text-delta", text: "Checking." },
      { type: "tool-call-delta", index: 0, id: "toolu_a", name: "a", argumentsDelta: "" },
      { type: "tool-call-delta", index: 1, id: "toolu_b", name: "b", argumentsDelta: "" },
      { type: "tool-call-delta", index: 1, argumentsDelta: '{"x":1}' },
      { type: "tool-call-delta", index: 0, argumentsDelta: "{}" },
      { type: "finish", finishReason: "length", nativeFinishReason: "max_tokens" },
      { type: "usage", usage: { promptTokens: 12, completionTokens: 40, cachedPromptTokens: 7, cacheWriteTokens: 0, reasoningTokens: 0 } },
    ]);
    expect(anthropicAdapter.isStreamComplete(state)).toBe(true);
  });

  it("turns an overloaded_error event inside the stream into a retryable error, and an invalid_request_error into a final one", () => {
    const overloaded = () =>
      anthropicAdapter.fromUpstreamStreamEvent(event({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }), anthropicAdapter.createStreamState());
    expect(overloaded).toThrow(SwitchboardError);
    try {
      overloaded();
    } catch (error) {
      expect((error as SwitchboardError).error).toMatchObject({ code: gatewayErrorCodes.upstreamError, retryable: true, metadata: { raw: "Overloaded", provider_code: "overloaded_error" } });
    }
    expect(() =>
      anthropicAdapter.fromUpstreamStreamEvent(event({ type: "error", error: { type: "invalid_request_error", message: "bad" } }), anthropicAdapter.createStreamState()),
    ).toThrow(expect.objectContaining({ error: expect.objectContaining({ retryable: false, status: 400 }) }));
  });

  it("keeps Anthropic's message and error type from an error body; 529 overloaded is retryable", () => {
    const body = JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(anthropicAdapter.fromUpstreamError(529, body)).toMatchObject({
      code: gatewayErrorCodes.upstreamError,
      status: 502,
      retryable: true,
      metadata: { raw: "Overloaded", provider_code: "overloaded_error" },
    });
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
  ])("maps stop_reason %s to finish_reason %s, keeping the native value", (native, expected) => {
    const { parts } = anthropicAdapter.fromUpstreamResponse({ id: "m", content: [], stop_reason: native, usage: { input_tokens: 1, output_tokens: 1 } });
    expect(parts).toContainEqual({ type: "finish", finishReason: expected, nativeFinishReason: native });
  });
});
