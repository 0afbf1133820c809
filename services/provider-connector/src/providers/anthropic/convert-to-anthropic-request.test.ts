import type { ChatRequest } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { convertToAnthropicRequest } from "./convert-to-anthropic-request.js";
import { anthropicFallbackMaxTokens } from "./convert-to-anthropic-thinking.js";

const options = { upstreamModel: "claude-sonnet-4-5", stream: false, maxCompletionTokens: 1_024, apiVersion: "2023-06-01" };

describe("convertToAnthropicRequest", () => {
  it("lifts the leading system messages, always sends max_tokens and maps the sampling parameters", () => {
    const request: ChatRequest = {
      model: "anthropic/claude-sonnet-4.5",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Answer in French.", cache_control: { type: "ephemeral" } }] },
        { role: "user", content: "Hi" },
      ],
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      stop: "END",
      user: "end-user-1",
    };
    expect(convertToAnthropicRequest(request, { ...options, stream: true })).toEqual({
      body: {
        model: "claude-sonnet-4-5",
        max_tokens: 1_024,
        system: [
          { type: "text", text: "Be brief." },
          { type: "text", text: "Answer in French.", cache_control: { type: "ephemeral" } },
        ],
        messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
        temperature: 0.3,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ["END"],
        metadata: { user_id: "end-user-1" },
        stream: true,
      },
      warnings: [],
    });
  });

  it("sends the fallback cap when there is none, since the Messages API requires max_tokens", () => {
    const { body } = convertToAnthropicRequest({ messages: [{ role: "user", content: "Hi" }] }, { ...options, maxCompletionTokens: null });
    expect(body["max_tokens"]).toBe(anthropicFallbackMaxTokens);
  });

  it("drops a temperature above Anthropic's 1 with a warning instead of clamping it, and names every other dropped key", () => {
    const { body, warnings } = convertToAnthropicRequest(
      { messages: [{ role: "user", content: "Hi" }], temperature: 1.5, seed: 7, response_format: { type: "grammar", grammar: "root ::= x" }, provider: { order: ["anthropic"] } },
      options,
    );
    expect(body).not.toHaveProperty("temperature");
    // A grammar has no tool that could carry it (json_object and json_schema do: see anthropic-adapter.test.ts).
    expect(warnings.map((warning) => warning.parameter).sort()).toEqual(["response_format", "seed", "temperature"]);
  });

  it("translates a tool-calling conversation: tools, tool_choice, tool_use and tool_result blocks in merged turns", () => {
    const request: ChatRequest = {
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "toolu_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
        { role: "tool", tool_call_id: "toolu_2", content: "24°C" },
      ],
      tools: [{ type: "function", function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
    };
    const { body, warnings } = convertToAnthropicRequest(request, options);
    expect(warnings).toEqual([]);
    expect(body["tools"]).toEqual([{ name: "get_weather", description: "Current weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }]);
    expect(body["tool_choice"]).toEqual({ type: "tool", name: "get_weather", disable_parallel_tool_use: true });
    expect(body["messages"]).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "Rome" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
          { type: "tool_result", tool_use_id: "toolu_2", content: "24°C" },
        ],
      },
    ]);
  });

  it.each([
    ["auto", { type: "auto" }],
    ["none", { type: "none" }],
    ["required", { type: "any" }],
  ])("maps tool_choice %s", (toolChoice, expected) => {
    expect(convertToAnthropicRequest({ messages: [{ role: "user", content: "Hi" }], tool_choice: toolChoice }, options).body["tool_choice"]).toEqual(expected);
  });

  it("sends images as base64 sources for data URIs and URL sources otherwise", () => {
    const { body } = convertToAnthropicRequest(
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
            ],
          },
        ],
      },
      options,
    );
    expect(body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
  });

  it("does not ask Claude to think when the current turn's tool call comes back without its thinking block: dropped and named, or refused under require_parameters", () => {
    const call = { id: "toolu_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
    const signed = [{ type: "reasoning.text", text: "Call the tool.", signature: "ErcBCkgI", format: "anthropic-claude-v1", index: 0 }];
    const convert = (messages: ChatRequest["messages"], extra: Partial<ChatRequest> = {}) =>
      convertToAnthropicRequest({ messages, reasoning: { max_tokens: 1_024 }, ...extra }, { ...options, maxCompletionTokens: 4_000 });
    const toolLoop = (details?: { type: string; [key: string]: unknown }[]): ChatRequest["messages"] => [
      { role: "user", content: "Weather in Paris and Rome?" },
      { role: "assistant", content: null, tool_calls: [call], ...(details !== undefined ? { reasoning_details: details } : {}) },
      { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
    ];
    for (const details of [undefined, [{ type: "reasoning.text", text: "unsigned", format: "anthropic-claude-v1", index: 0 }]]) {
      const { body, warnings } = convert(toolLoop(details));
      expect(body).not.toHaveProperty("thinking");
      expect(warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
      expect(() => convert(toolLoop(details), { provider: { require_parameters: true } })).toThrow(
        expect.objectContaining({ error: expect.objectContaining({ status: 400, metadata: { parameter: "reasoning" } }) }),
      );
    }
    // The last tool call of the turn decides: an earlier one with thinking does not make up for it.
    const twoCalls: ChatRequest["messages"] = [
      ...toolLoop(signed),
      { role: "assistant", content: null, tool_calls: [{ ...call, id: "toolu_2" }] },
      { role: "tool", tool_call_id: "toolu_2", content: "21°C" },
    ];
    expect(convert(twoCalls).body).not.toHaveProperty("thinking");
    expect(convert(toolLoop(signed))).toMatchObject({ body: { thinking: { type: "enabled", budget_tokens: 1_024 } }, warnings: [] });
    // A new user message starts a new turn: the earlier tool call no longer needs its thinking.
    expect(convert([...toolLoop(), { role: "assistant", content: "18°C." }, { role: "user", content: "Thanks. Rome?" }]).body).toHaveProperty("thinking");
  });

  it("refuses a system message after the conversation started, naming it, rather than moving it", () => {
    expect(() =>
      convertToAnthropicRequest(
        {
          messages: [
            { role: "user", content: "Hi" },
            { role: "system", content: "Now be rude." },
          ],
        },
        options,
      ),
    ).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400, code: "unsupported_parameter", metadata: { parameter: "messages.1" } }) }));
  });

  it("refuses tool call arguments that are not JSON", () => {
    const request: ChatRequest = {
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{not json" } }] },
      ],
    };
    expect(() => convertToAnthropicRequest(request, options)).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400 }) }));
  });
});
