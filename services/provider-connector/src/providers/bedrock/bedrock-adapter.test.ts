import type { ChatRequest } from "@switchboard/contracts";
import { gatewayErrorCodes } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { bedrockAdapter } from "./bedrock-adapter.js";

const baseUrl = "https://bedrock-runtime.eu-west-3.amazonaws.com";

describe("bedrock adapter", () => {
  it("posts to /model/{id}/converse(-stream) with the model id encoded, signed with SigV4 for the host's region", () => {
    const input = { body: { messages: [{ role: "user" as const, content: "Hi" }] }, upstreamModel: "anthropic.claude-3-haiku-20240307-v1:0", maxCompletionTokens: 50, baseUrl };
    const whole = bedrockAdapter.toUpstreamRequest({ ...input, stream: false });
    expect(whole.url).toBe("https://bedrock-runtime.eu-west-3.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
    expect(whole.credential).toEqual({ scheme: "signature", signer: "aws-sigv4", parameters: { region: "eu-west-3", service: "bedrock" } });
    expect(bedrockAdapter.toUpstreamRequest({ ...input, stream: true }).url).toMatch(/\/converse-stream$/);
    expect(bedrockAdapter.toUpstreamRequest({ ...input, stream: false, baseUrl: "https://vpce-0abc.bedrock-runtime.us-east-2.vpce.amazonaws.com" }).credential).toMatchObject({
      parameters: { region: "us-east-2" },
    });
    expect(() => bedrockAdapter.toUpstreamRequest({ ...input, stream: false, baseUrl: "https://proxy.example" })).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 502, retryable: true }) }),
    );
  });

  it("signs for the catalog's region when it names one, and then posts to base_url as given (a proxy, a VPC endpoint, a fake)", () => {
    const input = { body: { messages: [{ role: "user" as const, content: "Hi" }] }, upstreamModel: "amazon.nova-lite-v1:0", maxCompletionTokens: 50, stream: true };
    const proxied = bedrockAdapter.toUpstreamRequest({ ...input, baseUrl: "http://127.0.0.1:8443/bedrock", region: "ap-southeast-2" });
    expect(proxied.url).toBe("http://127.0.0.1:8443/bedrock/model/amazon.nova-lite-v1%3A0/converse-stream");
    expect(proxied.credential).toEqual({ scheme: "signature", signer: "aws-sigv4", parameters: { region: "ap-southeast-2", service: "bedrock" } });
    // The catalog's region wins over the one in the host; without it the host's is used (the first test).
    expect(bedrockAdapter.toUpstreamRequest({ ...input, baseUrl, region: "us-west-2" }).credential).toMatchObject({ parameters: { region: "us-west-2" } });
  });

  it("translates a tool-calling conversation into Converse blocks, inferenceConfig and toolConfig", () => {
    const body: ChatRequest = {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBOR" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "tooluse_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "tooluse_1", content: "18°C" },
      ],
      temperature: 0.5,
      stop: "END",
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      tool_choice: "required",
      seed: 3,
    };
    const request = bedrockAdapter.toUpstreamRequest({ body, upstreamModel: "m", stream: false, maxCompletionTokens: 100, baseUrl });
    expect(request.warnings).toEqual([{ type: "unsupported-parameter", parameter: "seed" }]);
    expect(request.body).toEqual({
      system: [{ text: "Be brief." }],
      messages: [
        { role: "user", content: [{ text: "Weather?" }, { image: { format: "png", source: { bytes: "iVBOR" } } }] },
        { role: "assistant", content: [{ toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } }] },
        { role: "user", content: [{ toolResult: { toolUseId: "tooluse_1", content: [{ text: "18°C" }] } }] },
      ],
      inferenceConfig: { maxTokens: 100, temperature: 0.5, stopSequences: ["END"] },
      toolConfig: { tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } } } }], toolChoice: { any: {} } },
    });
  });

  it("reports cache reads and writes inside prompt_tokens and maps stopReason", () => {
    const { parts } = bedrockAdapter.fromUpstreamResponse({
      output: { message: { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "f", input: { a: 1 } } }] } },
      stopReason: "tool_use",
      usage: { inputTokens: 5, outputTokens: 7, cacheReadInputTokens: 100, cacheWriteInputTokens: 20 },
    });
    expect(parts).toEqual([
      { type: "stream-start", upstreamId: null },
      { type: "tool-call-delta", index: 0, id: "t1", name: "f", argumentsDelta: '{"a":1}' },
      { type: "finish", finishReason: "tool_calls", nativeFinishReason: "tool_use" },
      { type: "usage", usage: { promptTokens: 125, completionTokens: 7, cachedPromptTokens: 100, cacheWriteTokens: 20, reasoningTokens: 0 } },
    ]);
  });

  it("turns stream exceptions into errors by their type: throttling retryable, validation final", () => {
    const state = bedrockAdapter.createStreamState();
    expect(() => bedrockAdapter.fromUpstreamStreamEvent({ event: "throttlingException", data: '{"message":"Too many tokens"}' }, state)).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ code: gatewayErrorCodes.upstreamRateLimited, retryable: true, metadata: { raw: "Too many tokens", provider_code: "throttlingException" } }) }),
    );
    expect(() => bedrockAdapter.fromUpstreamStreamEvent({ event: "validationException", data: '{"message":"bad"}' }, state)).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, retryable: false }) }),
    );
  });

  const claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

  it("asks Anthropic models for thinking in additionalModelRequestFields and names reasoning as dropped for other models", () => {
    const body: ChatRequest = { messages: [{ role: "user", content: "Hi" }], reasoning: { effort: "medium" } };
    const request = bedrockAdapter.toUpstreamRequest({ body, upstreamModel: claude, stream: false, maxCompletionTokens: 8_000, baseUrl });
    expect(request.body["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 4_000 } });
    expect(request.warnings).toEqual([]);
    const sampled = bedrockAdapter.toUpstreamRequest({ body: { ...body, temperature: 0.3, top_p: 0.97 }, upstreamModel: claude, stream: false, maxCompletionTokens: 8_000, baseUrl });
    // Claude refuses a temperature other than 1 while thinking: dropped and named; top_p 0.97 it takes.
    expect(sampled.body["inferenceConfig"]).toEqual({ maxTokens: 8_000, topP: 0.97 });
    expect(sampled.warnings).toEqual([{ type: "unsupported-parameter", parameter: "temperature" }]);
    const other = bedrockAdapter.toUpstreamRequest({ body, upstreamModel: "amazon.nova-pro-v1:0", stream: false, maxCompletionTokens: 8_000, baseUrl });
    expect(other.body).not.toHaveProperty("additionalModelRequestFields");
    expect(other.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
  });

  it("keeps Claude's thinking budget within Anthropic's bounds on Bedrock: dropped and named when it cannot fit, maxTokens sent with it", () => {
    const build = (body: Partial<ChatRequest>, maxCompletionTokens: number | null) =>
      bedrockAdapter.toUpstreamRequest({ body: { messages: [{ role: "user", content: "Hi" }], ...body }, upstreamModel: claude, stream: false, maxCompletionTokens, baseUrl });
    // No cap from client or catalog: an effort is sized on Anthropic's fallback cap, which is sent with it.
    const effort = build({ reasoning: { effort: "medium" } }, null);
    expect(effort.body["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 2_048 } });
    expect(effort.body["inferenceConfig"]).toEqual({ maxTokens: 4_096 });
    const small = build({ reasoning: { max_tokens: 512 } }, 8_000);
    expect(small.body).not.toHaveProperty("additionalModelRequestFields");
    expect(small.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
    const large = build({ reasoning: { max_tokens: 8_000 } }, 8_000);
    expect(large.body).not.toHaveProperty("additionalModelRequestFields");
    expect(large.body["inferenceConfig"]).toEqual({ maxTokens: 8_000 });
    expect(() => build({ reasoning: { max_tokens: 8_000 }, provider: { require_parameters: true } }, 8_000)).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, retryable: true, metadata: { parameter: "reasoning" } }) }),
    );
  });

  it("does not ask Claude to think with a forced tool choice (any, a named tool, or response_format's tool): reasoning is dropped and named, or refused under require_parameters", () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const build = (body: Partial<ChatRequest>) =>
      bedrockAdapter.toUpstreamRequest({ body: { messages: [{ role: "user", content: "Hi" }], tools, reasoning: { max_tokens: 1_024 }, ...body }, upstreamModel: claude, stream: false, maxCompletionTokens: 4_000, baseUrl });
    for (const forcing of [{ tool_choice: "required" }, { tool_choice: { type: "function", function: { name: "get_weather" } } }, { response_format: { type: "json_object" } }]) {
      const request = build(forcing);
      expect(request.body).not.toHaveProperty("additionalModelRequestFields");
      expect(request.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
      expect(() => build({ ...forcing, provider: { require_parameters: true } })).toThrow(
        expect.objectContaining({ error: expect.objectContaining({ status: 400, metadata: { parameter: "reasoning" }, message: expect.stringContaining(Object.keys(forcing)[0]!) }) }),
      );
    }
    for (const toolChoice of ["auto", "none"]) {
      expect(build({ tool_choice: toolChoice }).body["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 1_024 } });
    }
  });

  it("does not ask Claude to think when the current turn's tool call comes back without its thinking: dropped and named, or refused under require_parameters", () => {
    const call = { id: "tooluse_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
    const signed = [{ type: "reasoning.text", text: "Call the tool.", signature: "ErcBCkgI", format: "anthropic-claude-v1", index: 0 }];
    const build = (messages: ChatRequest["messages"], extra: Partial<ChatRequest> = {}) =>
      bedrockAdapter.toUpstreamRequest({ body: { messages, reasoning: { max_tokens: 1_024 }, ...extra }, upstreamModel: claude, stream: false, maxCompletionTokens: 4_000, baseUrl });
    const toolLoop = (details?: { type: string; [key: string]: unknown }[]): ChatRequest["messages"] => [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: null, tool_calls: [call], ...(details !== undefined ? { reasoning_details: details } : {}) },
      { role: "tool", tool_call_id: "tooluse_1", content: "18°C" },
    ];
    // Without thinking to send back (a forced call, or another provider's reasoning), thinking is dropped.
    for (const details of [undefined, [{ type: "reasoning.encrypted", data: "CiQB", format: "google-gemini-v1", index: 0 }]]) {
      const request = build(toolLoop(details));
      expect(request.body).not.toHaveProperty("additionalModelRequestFields");
      expect(request.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
      expect(() => build(toolLoop(details), { provider: { require_parameters: true } })).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400, metadata: { parameter: "reasoning" } }) }));
    }
    // With the signed thinking sent back it thinks; so it does once a new user message starts a turn.
    expect(build(toolLoop(signed)).body["additionalModelRequestFields"]).toEqual({ thinking: { type: "enabled", budget_tokens: 1_024 } });
    expect(build([...toolLoop(), { role: "assistant", content: "18°C in Paris." }, { role: "user", content: "And Rome?" }]).body["additionalModelRequestFields"]).toEqual({
      thinking: { type: "enabled", budget_tokens: 1_024 },
    });
  });

  it("sends signed reasoning back as reasoningContent blocks before the tool use, and returns reasoning with its signature", () => {
    const body: ChatRequest = {
      reasoning: { max_tokens: 1_024 },
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "tooluse_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
          reasoning_details: [
            { type: "reasoning.text", text: "Call the tool.", signature: "ErcBCkgI", format: "anthropic-claude-v1", index: 0 },
            { type: "reasoning.encrypted", data: "EmwKAhgB", format: "anthropic-claude-v1", index: 1 },
            { type: "reasoning.encrypted", data: "CiQB", format: "google-gemini-v1", index: 2 },
          ],
        },
        { role: "tool", tool_call_id: "tooluse_1", content: "18°C" },
      ],
    };
    const request = bedrockAdapter.toUpstreamRequest({ body, upstreamModel: claude, stream: false, maxCompletionTokens: 4_000, baseUrl });
    expect((request.body["messages"] as unknown[])[1]).toEqual({
      role: "assistant",
      content: [
        { reasoningContent: { reasoningText: { text: "Call the tool.", signature: "ErcBCkgI" } } },
        { reasoningContent: { redactedContent: "EmwKAhgB" } },
        { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } },
      ],
    });

    const { parts } = bedrockAdapter.fromUpstreamResponse({
      output: { message: { role: "assistant", content: [{ reasoningContent: { reasoningText: { text: "Sunny.", signature: "ErcBCkgI" } } }, { reasoningContent: { redactedContent: "EmwK" } }, { text: "It is sunny." }] } },
      stopReason: "end_turn",
      usage: { inputTokens: 10, outputTokens: 20 },
    });
    const format = "anthropic-claude-v1";
    expect(parts.slice(1, 5)).toEqual([
      { type: "reasoning-delta", text: "Sunny.", detail: { type: "reasoning.text", text: "Sunny.", format, index: 0 } },
      { type: "reasoning-detail", detail: { type: "reasoning.text", signature: "ErcBCkgI", format, index: 0 } },
      { type: "reasoning-detail", detail: { type: "reasoning.encrypted", data: "EmwK", format, index: 1 } },
      { type: "text-delta", text: "It is sunny." },
    ]);
  });

  it("answers a response_format through a forced tool (Converse has no JSON mode), returning its input as text with finish_reason stop", () => {
    const schema = { type: "object", properties: { city: { type: "string" } } };
    const body: ChatRequest = { messages: [{ role: "user", content: "Capital?" }], response_format: { type: "json_schema", json_schema: { name: "answer", schema } } };
    const request = bedrockAdapter.toUpstreamRequest({ body, upstreamModel: claude, stream: false, maxCompletionTokens: 100, baseUrl });
    expect(request.warnings).toEqual([]);
    expect(request.body["toolConfig"]).toEqual({
      tools: [{ toolSpec: { name: "switchboard_json_response", description: "Respond with a JSON object matching the schema.", inputSchema: { json: schema } } }],
      toolChoice: { tool: { name: "switchboard_json_response" } },
    });
    const { parts } = bedrockAdapter.fromUpstreamResponse({
      output: { message: { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "switchboard_json_response", input: { city: "Paris" } } }] } },
      stopReason: "tool_use",
      usage: { inputTokens: 10, outputTokens: 20 },
    });
    expect(parts.slice(1, 3)).toEqual([
      { type: "text-delta", text: '{"city":"Paris"}' },
      { type: "finish", finishReason: "stop", nativeFinishReason: "tool_use" },
    ]);
    const state = bedrockAdapter.createStreamState();
    const streamed = [
      { event: "contentBlockStart", data: JSON.stringify({ contentBlockIndex: 0, start: { toolUse: { toolUseId: "t1", name: "switchboard_json_response" } } }) },
      { event: "contentBlockDelta", data: JSON.stringify({ contentBlockIndex: 0, delta: { toolUse: { input: '{"city":"Paris"}' } } }) },
      { event: "messageStop", data: JSON.stringify({ stopReason: "tool_use" }) },
    ].flatMap((item) => bedrockAdapter.fromUpstreamStreamEvent(item, state));
    expect(streamed.slice(1)).toEqual([
      { type: "text-delta", text: '{"city":"Paris"}' },
      { type: "finish", finishReason: "stop", nativeFinishReason: "tool_use" },
    ]);
  });

  it("offers none of the client's tools under tool_choice none, and an inert placeholder tool when tool blocks in the history need a toolConfig", () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const history: ChatRequest["messages"] = [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: null, tool_calls: [{ id: "tooluse_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "tooluse_1", content: "18°C" },
    ];
    const build = (body: Partial<ChatRequest>) =>
      bedrockAdapter.toUpstreamRequest({ body: { messages: history, ...body }, upstreamModel: claude, stream: false, maxCompletionTokens: 100, baseUrl });
    const placeholder = { tools: [{ toolSpec: { name: "switchboard_no_tool", description: expect.stringContaining("Never call it"), inputSchema: { json: { type: "object", properties: {}, additionalProperties: false } } } }] };
    // Converse refuses toolUse/toolResult blocks without toolConfig; its toolChoice has no none, so none of the client's tools is offered.
    for (const body of [{}, { tools, tool_choice: "none" }, { tools, tool_choice: "none", provider: { require_parameters: true } }]) {
      const request = build(body);
      expect(request.body["toolConfig"]).toEqual(placeholder);
      expect(request.warnings).toEqual([]);
    }
    // Without tool blocks in the history no toolConfig is needed, and none is sent.
    const fresh = bedrockAdapter.toUpstreamRequest({ body: { messages: [{ role: "user", content: "Hi" }], tools, tool_choice: "none" }, upstreamModel: claude, stream: false, maxCompletionTokens: 100, baseUrl });
    expect(fresh.body).not.toHaveProperty("toolConfig");
    // With tools offered, they go as given.
    expect(build({ tools, tool_choice: "auto" }).body["toolConfig"]).toEqual({ tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object" } } } }], toolChoice: { auto: {} } });
  });

  it("drops a call of the placeholder tool from the answer, whole and streamed: the client offered no such tool", () => {
    const { parts } = bedrockAdapter.fromUpstreamResponse({
      output: { message: { role: "assistant", content: [{ text: "It is 18°C." }, { toolUse: { toolUseId: "t1", name: "switchboard_no_tool", input: {} } }] } },
      stopReason: "tool_use",
      usage: { inputTokens: 10, outputTokens: 20 },
    });
    expect(parts.filter((part) => part.type === "tool-call-delta")).toEqual([]);
    expect(parts.slice(1, 3)).toEqual([
      { type: "text-delta", text: "It is 18°C." },
      { type: "finish", finishReason: "stop", nativeFinishReason: "tool_use" },
    ]);
    // Beside a call of a real tool, that call stays and the answer still stops for tools.
    const mixed = bedrockAdapter.fromUpstreamResponse({
      output: { message: { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "switchboard_no_tool", input: {} } }, { toolUse: { toolUseId: "t2", name: "get_weather", input: { city: "Paris" } } }] } },
      stopReason: "tool_use",
    }).parts;
    expect(mixed.filter((part) => part.type === "tool-call-delta")).toEqual([{ type: "tool-call-delta", index: 0, id: "t2", name: "get_weather", argumentsDelta: '{"city":"Paris"}' }]);
    expect(mixed.find((part) => part.type === "finish")).toMatchObject({ finishReason: "tool_calls" });

    const state = bedrockAdapter.createStreamState();
    const streamed = [
      { event: "messageStart", data: JSON.stringify({ role: "assistant" }) },
      { event: "contentBlockDelta", data: JSON.stringify({ contentBlockIndex: 0, delta: { text: "It is 18°C." } }) },
      { event: "contentBlockStart", data: JSON.stringify({ contentBlockIndex: 1, start: { toolUse: { toolUseId: "t1", name: "switchboard_no_tool" } } }) },
      { event: "contentBlockDelta", data: JSON.stringify({ contentBlockIndex: 1, delta: { toolUse: { input: "{}" } } }) },
      { event: "messageStop", data: JSON.stringify({ stopReason: "tool_use" }) },
    ].flatMap((item) => bedrockAdapter.fromUpstreamStreamEvent(item, state));
    expect(streamed.slice(1)).toEqual([
      { type: "text-delta", text: "It is 18°C." },
      { type: "finish", finishReason: "stop", nativeFinishReason: "tool_use" },
    ]);
  });

  it("refuses a client tool named like the placeholder, with a 400 naming tools", () => {
    const tools = [{ type: "function", function: { name: "switchboard_no_tool", parameters: { type: "object" } } }];
    expect(() =>
      bedrockAdapter.toUpstreamRequest({ body: { messages: [{ role: "user", content: "Hi" }], tools }, upstreamModel: claude, stream: false, maxCompletionTokens: 100, baseUrl }),
    ).toThrow(expect.objectContaining({ error: expect.objectContaining({ status: 400, metadata: { parameter: "tools" }, message: expect.stringContaining("tools") }) }));
  });

  it("answers a response_format through the JSON tool alone, forced, under tool_choice none: the structured answer and no call to the client's tools", () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];
    const request = bedrockAdapter.toUpstreamRequest({
      body: { messages: [{ role: "user", content: "Capital?" }], tools, tool_choice: "none", response_format: { type: "json_object" } },
      upstreamModel: claude,
      stream: false,
      maxCompletionTokens: 100,
      baseUrl,
    });
    expect(request.warnings).toEqual([]);
    expect(request.body["toolConfig"]).toEqual({
      tools: [{ toolSpec: { name: "switchboard_json_response", description: "Respond with a JSON object.", inputSchema: { json: { type: "object" } } } }],
      toolChoice: { tool: { name: "switchboard_json_response" } },
    });
  });

  it("refuses an image URL with a 400 that says to send the bytes, rather than fetching it", () => {
    const body: ChatRequest = { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }] };
    expect(() => bedrockAdapter.toUpstreamRequest({ body, upstreamModel: claude, stream: false, maxCompletionTokens: 100, baseUrl })).toThrow(
      expect.objectContaining({ error: expect.objectContaining({ status: 400, message: expect.stringContaining("data: URI"), metadata: { parameter: "messages.0.content.0" } }) }),
    );
  });
});
