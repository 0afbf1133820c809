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
      { type: "reasoning-delta", text: "Let me think.", detail: { type: "reasoning.text", text: "Let me think.", format: "anthropic-claude-v1", index: 0 } },
      { type: "reasoning-detail", detail: { type: "reasoning.text", signature: "sig", format: "anthropic-claude-v1", index: 0 } },
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

  it("streams thinking as reasoning text with its reasoning_details entry, then the signature, and redacted thinking as an encrypted entry", () => {
    const state = anthropicAdapter.createStreamState();
    const parts = [
      event({ type: "message_start", message: { id: "msg_3", usage: { input_tokens: 5, output_tokens: 1 } } }),
      event({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hmm. " } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Paris." } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "EqQBCgIYAhIM" } }),
      event({ type: "content_block_stop", index: 0 }),
      event({ type: "content_block_start", index: 1, content_block: { type: "redacted_thinking", data: "EmwKAhgB" } }),
      event({ type: "content_block_start", index: 2, content_block: { type: "text", text: "" } }),
      event({ type: "content_block_delta", index: 2, delta: { type: "text_delta", text: "Sunny." } }),
      event({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 20 } }),
    ].flatMap((item) => anthropicAdapter.fromUpstreamStreamEvent(item, state));
    const format = "anthropic-claude-v1";
    expect(parts.slice(1, 6)).toEqual([
      { type: "reasoning-delta", text: "Hmm. ", detail: { type: "reasoning.text", text: "Hmm. ", format, index: 0 } },
      { type: "reasoning-delta", text: "Paris.", detail: { type: "reasoning.text", text: "Paris.", format, index: 0 } },
      { type: "reasoning-detail", detail: { type: "reasoning.text", signature: "EqQBCgIYAhIM", format, index: 0 } },
      { type: "reasoning-detail", detail: { type: "reasoning.encrypted", data: "EmwKAhgB", format, index: 1 } },
      { type: "text-delta", text: "Sunny." },
    ]);
  });

  it("asks for thinking: a reasoning.max_tokens budget as given, an effort as its share of max_tokens (at least 1,024)", () => {
    const build = (body: Record<string, unknown>, maxCompletionTokens: number) =>
      anthropicAdapter.toUpstreamRequest({
        body: { messages: [{ role: "user", content: "Hi" }], ...body },
        upstreamModel: "claude-sonnet-4-5",
        stream: false,
        maxCompletionTokens,
        baseUrl: "https://api.anthropic.com",
      });
    expect(build({ reasoning: { max_tokens: 2_000 } }, 8_000).body["thinking"]).toEqual({ type: "enabled", budget_tokens: 2_000 });
    expect(build({ reasoning: { effort: "high" } }, 10_000).body["thinking"]).toEqual({ type: "enabled", budget_tokens: 8_000 });
    expect(build({ reasoning_effort: "low" }, 10_000).body["thinking"]).toEqual({ type: "enabled", budget_tokens: 2_000 });
    expect(build({ reasoning: { effort: "minimal" } }, 4_000).body["thinking"]).toEqual({ type: "enabled", budget_tokens: 1_024 });
    expect(build({ reasoning: { enabled: true } }, 4_000).body["thinking"]).toEqual({ type: "enabled", budget_tokens: 2_000 });
    expect(build({ reasoning: { enabled: false } }, 4_000).body).not.toHaveProperty("thinking");
    expect(build({ reasoning: { effort: "high", exclude: true } }, 10_000).warnings).toEqual([]);
    // A budget the output cap cannot hold is dropped and named, not shrunk (bounds: convert-to-anthropic-thinking.test.ts).
    const dropped = build({ reasoning: { max_tokens: 5_000 } }, 4_000);
    expect(dropped.body).not.toHaveProperty("thinking");
    expect(dropped.body["max_tokens"]).toBe(4_000);
    expect(dropped.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
  });

  it("does not think with a forced tool choice, which Anthropic refuses: reasoning is dropped and named, or refused under require_parameters", () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const build = (body: Record<string, unknown>) =>
      anthropicAdapter.toUpstreamRequest({
        body: { messages: [{ role: "user", content: "Hi" }], tools, reasoning: { max_tokens: 1_024 }, temperature: 0.2, ...body },
        upstreamModel: "claude-sonnet-4-5",
        stream: false,
        maxCompletionTokens: 4_000,
        baseUrl: "https://api.anthropic.com",
      });
    for (const toolChoice of ["required", { type: "function", function: { name: "get_weather" } }]) {
      const forced = build({ tool_choice: toolChoice });
      expect(forced.body).not.toHaveProperty("thinking");
      // Without thinking the temperature is sent as asked.
      expect(forced.body).toMatchObject({ temperature: 0.2 });
      expect(forced.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
      expect(() => build({ tool_choice: toolChoice, provider: { require_parameters: true } })).toThrow(
        expect.objectContaining({ error: expect.objectContaining({ status: 400, retryable: true, metadata: { parameter: "reasoning" }, message: expect.stringContaining("tool_choice") }) }),
      );
    }
    // auto and none go with thinking.
    for (const toolChoice of ["auto", "none", undefined]) {
      expect(build({ tool_choice: toolChoice }).body["thinking"]).toEqual({ type: "enabled", budget_tokens: 1_024 });
    }
    expect(build({ reasoning: undefined, reasoning_effort: "low", tool_choice: "required" }).warnings).toContainEqual({ type: "unsupported-parameter", parameter: "reasoning_effort" });
  });

  it("drops, naming them, the sampling values Anthropic refuses while thinking, or refuses them under require_parameters", () => {
    const build = (body: Record<string, unknown>) =>
      anthropicAdapter.toUpstreamRequest({
        body: { messages: [{ role: "user", content: "Hi" }], reasoning: { max_tokens: 1_024 }, ...body },
        upstreamModel: "claude-sonnet-4-5",
        stream: false,
        maxCompletionTokens: 4_000,
        baseUrl: "https://api.anthropic.com",
      });
    const dropped = build({ temperature: 0.2, top_k: 40, top_p: 0.9 });
    expect(dropped.body).not.toHaveProperty("temperature");
    expect(dropped.body).not.toHaveProperty("top_k");
    expect(dropped.body).not.toHaveProperty("top_p");
    expect(dropped.warnings.map((warning) => warning.parameter).sort()).toEqual(["temperature", "top_k", "top_p"]);
    expect(build({ temperature: 1, top_p: 0.95 }).body).toMatchObject({ temperature: 1, top_p: 0.95 });
    expect(() => build({ temperature: 0.2, provider: { require_parameters: true } })).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, retryable: true, metadata: { parameter: "temperature" } }) }),
    );
    // Without thinking they are sent as usual.
    expect(
      anthropicAdapter.toUpstreamRequest({ body: { messages: [{ role: "user", content: "Hi" }], temperature: 0.2 }, upstreamModel: "m", stream: false, maxCompletionTokens: 10, baseUrl: "https://api.anthropic.com" })
        .body,
    ).toMatchObject({ temperature: 0.2 });
  });

  it("sends the thinking blocks of reasoning_details back first in their assistant turn, signature and all, leaving out other providers' details", () => {
    const request = anthropicAdapter.toUpstreamRequest({
      body: {
        reasoning: { max_tokens: 1_024 },
        messages: [
          { role: "user", content: "Weather in Paris?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
            reasoning_details: [
              { type: "reasoning.text", text: "I should call get_weather.", signature: "EqQBCgIYAhIM", format: "anthropic-claude-v1", index: 0 },
              { type: "reasoning.encrypted", data: "EmwKAhgB", format: "anthropic-claude-v1", index: 1 },
              { type: "reasoning.encrypted", data: "CiQB0e2K", id: "toolu_1", format: "google-gemini-v1", index: 2 },
              { type: "reasoning.text", text: "unsigned", format: "anthropic-claude-v1", index: 3 },
            ],
          },
          { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
        ],
      },
      upstreamModel: "claude-sonnet-4-5",
      stream: false,
      maxCompletionTokens: 4_000,
      baseUrl: "https://api.anthropic.com",
    });
    expect((request.body["messages"] as unknown[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I should call get_weather.", signature: "EqQBCgIYAhIM" },
        { type: "redacted_thinking", data: "EmwKAhgB" },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
    });
  });

  it("answers a response_format through a forced tool and returns its input as the message text with finish_reason stop", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const request = anthropicAdapter.toUpstreamRequest({
      body: { messages: [{ role: "user", content: "Capital of France?" }], response_format: { type: "json_schema", json_schema: { name: "answer", schema } } },
      upstreamModel: "claude-sonnet-4-5",
      stream: false,
      maxCompletionTokens: 100,
      baseUrl: "https://api.anthropic.com",
    });
    expect(request.warnings).toEqual([]);
    expect(request.body["tools"]).toEqual([{ name: "switchboard_json_response", description: "Respond with a JSON object matching the schema.", input_schema: schema }]);
    expect(request.body["tool_choice"]).toEqual({ type: "tool", name: "switchboard_json_response" });
    const objectRequest = anthropicAdapter.toUpstreamRequest({
      body: { messages: [{ role: "user", content: "Hi" }], response_format: { type: "json_object" } },
      upstreamModel: "claude-sonnet-4-5",
      stream: false,
      maxCompletionTokens: 100,
      baseUrl: "https://api.anthropic.com",
    });
    expect(objectRequest.body["tools"]).toEqual([{ name: "switchboard_json_response", description: "Respond with a JSON object.", input_schema: { type: "object" } }]);

    const { parts } = anthropicAdapter.fromUpstreamResponse({
      id: "msg_4",
      content: [{ type: "tool_use", id: "toolu_j", name: "switchboard_json_response", input: { city: "Paris" } }],
      stop_reason: "tool_use",
      usage: { input_tokens: 20, output_tokens: 10 },
    });
    expect(parts.slice(1, 3)).toEqual([
      { type: "text-delta", text: '{"city":"Paris"}' },
      { type: "finish", finishReason: "stop", nativeFinishReason: "tool_use" },
    ]);

    const state = anthropicAdapter.createStreamState();
    const streamed = [
      event({ type: "message_start", message: { id: "msg_5", usage: { input_tokens: 5, output_tokens: 1 } } }),
      event({ type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_j", name: "switchboard_json_response", input: {} } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"city": ' } }),
      event({ type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '"Paris"}' } }),
      event({ type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 9 } }),
    ].flatMap((item) => anthropicAdapter.fromUpstreamStreamEvent(item, state));
    expect(streamed.slice(1, 4)).toEqual([
      { type: "text-delta", text: '{"city": ' },
      { type: "text-delta", text: '"Paris"}' },
      { type: "finish", finishReason: "stop", nativeFinishReason: "tool_use" },
    ]);
  });

  it("answers a response_format under tool_choice none through the JSON tool forced, the client's tools kept but not callable, without a warning", () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const build = (body: Record<string, unknown>) =>
      anthropicAdapter.toUpstreamRequest({
        body: { messages: [{ role: "user", content: "Capital?" }], tools, tool_choice: "none", response_format: { type: "json_object" }, ...body },
        upstreamModel: "claude-sonnet-4-5",
        stream: false,
        maxCompletionTokens: 100,
        baseUrl: "https://api.anthropic.com",
      });
    const request = build({});
    expect(request.warnings).toEqual([]);
    expect(request.body["tools"]).toEqual([
      { name: "get_weather", input_schema: { type: "object" } },
      { name: "switchboard_json_response", description: "Respond with a JSON object.", input_schema: { type: "object" } },
    ]);
    expect(request.body["tool_choice"]).toEqual({ type: "tool", name: "switchboard_json_response" });
    expect(build({ parallel_tool_calls: false }).body["tool_choice"]).toEqual({ type: "tool", name: "switchboard_json_response" });
  });

  it("sends tool_choice none without disable_parallel_tool_use, which Anthropic's none choice does not take (no call is allowed, so nothing is lost)", () => {
    const request = anthropicAdapter.toUpstreamRequest({
      body: { messages: [{ role: "user", content: "Hi" }], tools: [{ type: "function", function: { name: "get_weather" } }], tool_choice: "none", parallel_tool_calls: false },
      upstreamModel: "claude-sonnet-4-5",
      stream: false,
      maxCompletionTokens: 100,
      baseUrl: "https://api.anthropic.com",
    });
    expect(request.body["tool_choice"]).toEqual({ type: "none" });
    expect(request.warnings).toEqual([]);
  });

  it("answers a JSON response_format without thinking (its tool is forced, which Anthropic refuses while thinking), naming reasoning, or refuses under require_parameters", () => {
    const build = (body: Record<string, unknown>) =>
      anthropicAdapter.toUpstreamRequest({
        body: { messages: [{ role: "user", content: "Hi" }], response_format: { type: "json_object" }, reasoning: { max_tokens: 1_024 }, ...body },
        upstreamModel: "claude-sonnet-4-5",
        stream: false,
        maxCompletionTokens: 4_000,
        baseUrl: "https://api.anthropic.com",
      });
    const request = build({});
    expect(request.body).not.toHaveProperty("thinking");
    expect(request.body["tool_choice"]).toEqual({ type: "tool", name: "switchboard_json_response" });
    expect(request.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
    expect(() => build({ provider: { require_parameters: true } })).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, metadata: { parameter: "reasoning" }, message: expect.stringContaining("response_format") }) }),
    );
  });

  it("sends image_url parts as image blocks: a data URI as base64, an https URL as a url source", () => {
    const request = anthropicAdapter.toUpstreamRequest({
      body: {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare." },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://upload.wikimedia.org/cat.jpg", detail: "high" } },
            ],
          },
        ],
      },
      upstreamModel: "claude-sonnet-4-5",
      stream: false,
      maxCompletionTokens: 100,
      baseUrl: "https://api.anthropic.com",
    });
    expect((request.body["messages"] as { content: unknown[] }[])[0]?.content).toEqual([
      { type: "text", text: "Compare." },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://upload.wikimedia.org/cat.jpg" } },
    ]);
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
