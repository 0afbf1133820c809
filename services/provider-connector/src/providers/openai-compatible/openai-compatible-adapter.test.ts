import { readFile } from "node:fs/promises";
import { gatewayErrorCodes, SwitchboardError, type ChatRequest, type UnnumberedStreamPart } from "@switchboard/contracts";
import { describe, expect, it } from "vitest";
import { parseServerSentEvents } from "../../transport/parse-server-sent-events.js";
import { createOpenAICompatibleAdapter } from "./openai-compatible-adapter.js";
import { openAIRequestParameters } from "./openai-request-parameters.js";

const adapter = createOpenAICompatibleAdapter({
  providerLabel: "Example",
  credential: { scheme: "header", headerName: "x-example-key" },
});

const baseUrl = "https://vendor.example/v1";

function fixture(name: string): Promise<string> {
  return readFile(new URL(`../__fixtures__/${name}`, import.meta.url), "utf8");
}

async function replayStream(transcript: string): Promise<UnnumberedStreamPart[]> {
  const state = adapter.createStreamState();
  const parts: UnnumberedStreamPart[] = [];
  async function* source() {
    yield transcript;
  }
  for await (const event of parseServerSentEvents(source())) parts.push(...adapter.fromUpstreamStreamEvent(event, state));
  return parts;
}

function streamEvent(chunk: unknown) {
  return { data: JSON.stringify(chunk) };
}

describe("openai-compatible adapter: toUpstreamRequest", () => {
  const clientBody: ChatRequest = {
    model: "openai/gpt-4o-mini",
    models: ["openai/gpt-4o-mini", "anthropic/claude-haiku"],
    messages: [{ role: "user", content: "Hi" }],
    provider: { order: ["openai"] },
    route: "fallback",
    transforms: ["middle-out"],
    plugins: [{ id: "web" }],
    usage: { include: true },
    stream_options: { include_usage: false },
    max_completion_tokens: 9_999,
    temperature: 0.2,
    user: "end-user-1",
  };

  it("forwards the client body without gateway-only keys, with our model, cap and usage request", () => {
    const request = adapter.toUpstreamRequest({ body: clientBody, upstreamModel: "gpt-4o-mini", stream: true, maxCompletionTokens: 512, baseUrl });
    expect(request).toEqual({
      url: "https://vendor.example/v1/chat/completions",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      credential: { scheme: "header", headerName: "x-example-key" },
      // route, usage, provider, models and stream_options are Switchboard's own; transforms and plugins are not implemented.
      warnings: [
        { type: "unsupported-parameter", parameter: "transforms" },
        { type: "unsupported-parameter", parameter: "plugins" },
      ],
      body: {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Hi" }],
        temperature: 0.2,
        user: "end-user-1",
        max_tokens: 512,
        stream: true,
        stream_options: { include_usage: true },
      },
    });
  });

  it("asks for JSON without stream options when not streaming", () => {
    const request = adapter.toUpstreamRequest({ body: clientBody, upstreamModel: "m", stream: false, maxCompletionTokens: 64, baseUrl });
    expect(request.headers).toEqual({ "content-type": "application/json", accept: "application/json" });
    expect(request.body["stream"]).toBe(false);
    expect(request.body).not.toHaveProperty("stream_options");
    expect(request.body).not.toHaveProperty("max_completion_tokens");
    expect(request.body["max_tokens"]).toBe(64);
  });

  it("sends no output cap at all when maxCompletionTokens is null, whatever the client sent", () => {
    const body = { ...clientBody, max_tokens: 100, max_completion_tokens: 200 };
    for (const stream of [true, false]) {
      const request = adapter.toUpstreamRequest({ body, upstreamModel: "m", stream, maxCompletionTokens: null, baseUrl });
      expect(request.body).not.toHaveProperty("max_tokens");
      expect(request.body).not.toHaveProperty("max_completion_tokens");
    }
  });

  it("replaces the client's own caps with the reserved one", () => {
    const body: ChatRequest = { messages: [], max_tokens: 100, max_completion_tokens: 200 };
    const request = adapter.toUpstreamRequest({ body, upstreamModel: "m", stream: false, maxCompletionTokens: 150, baseUrl });
    expect(request.body["max_tokens"]).toBe(150);
    expect(request.body).not.toHaveProperty("max_completion_tokens");
  });

  it("forwards every OpenAI Chat Completions parameter the client set", () => {
    const openAIParameters = {
      messages: [{ role: "user" as const, content: "Hi" }],
      temperature: 0.7,
      top_p: 0.9,
      n: 1,
      stop: ["END"],
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      logit_bias: { "50256": -100 },
      logprobs: true,
      top_logprobs: 3,
      seed: 42,
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      tool_choice: "auto",
      parallel_tool_calls: false,
      response_format: { type: "json_object" },
      user: "end-user-1",
      prediction: { type: "content", content: "x" },
      reasoning_effort: "low" as const,
      service_tier: "auto",
      metadata: { purpose: "test" },
      modalities: ["text"],
      audio: { voice: "alloy", format: "wav" },
      web_search_options: {},
    };
    const request = adapter.toUpstreamRequest({ body: { model: "catalog/m", ...openAIParameters }, upstreamModel: "m", stream: false, maxCompletionTokens: 10, baseUrl });
    expect(request.body).toEqual({ ...openAIParameters, model: "m", stream: false, max_tokens: 10 });
  });

  it("drops OpenRouter-only and unknown keys, and store", () => {
    const droppedKeys = {
      // A budget has no OpenAI field (an effort would go as reasoning_effort).
      reasoning: { max_tokens: 2_000 },
      include_reasoning: true,
      top_k: 40,
      min_p: 0.1,
      top_a: 0.2,
      repetition_penalty: 1.1,
      verbosity: "low",
      provider: { order: ["openai"] },
      models: ["a", "b"],
      route: "fallback",
      transforms: ["middle-out"],
      plugins: [{ id: "web" }],
      usage: { include: true },
      session_id: "s-1",
      debug: { echo_upstream_body: true },
      store: true,
      functions: [{ name: "f" }],
      some_future_key: 1,
    };
    const request = adapter.toUpstreamRequest({ body: { messages: [], ...droppedKeys }, upstreamModel: "m", stream: true, maxCompletionTokens: 10, baseUrl });
    expect(Object.keys(request.body).sort()).toEqual(["max_tokens", "messages", "model", "stream", "stream_options"]);
    // Named, except the keys Switchboard consumes itself (provider, models, route, usage).
    expect(request.warnings.map((warning) => warning.parameter)).toEqual([
      "reasoning",
      "include_reasoning",
      "top_k",
      "min_p",
      "top_a",
      "repetition_penalty",
      "verbosity",
      "transforms",
      "plugins",
      "session_id",
      "debug",
      "store",
      "functions",
      "some_future_key",
    ]);
  });

  it("sends the cap as max_completion_tokens to the models its config names, max_tokens to the others", () => {
    const reasoningAware = createOpenAICompatibleAdapter({ providerLabel: "Vendor", credential: { scheme: "bearer" }, maxCompletionTokensModels: /^o\d/ });
    const body: ChatRequest = { messages: [{ role: "user", content: "Hi" }], max_tokens: 7 };
    const reasoning = reasoningAware.toUpstreamRequest({ body, upstreamModel: "o4-mini", stream: false, maxCompletionTokens: 50, baseUrl });
    expect(reasoning.body["max_completion_tokens"]).toBe(50);
    expect(reasoning.body).not.toHaveProperty("max_tokens");
    const classic = reasoningAware.toUpstreamRequest({ body, upstreamModel: "gpt-4o", stream: false, maxCompletionTokens: 50, baseUrl });
    expect(classic.body["max_tokens"]).toBe(50);
    expect(classic.body).not.toHaveProperty("max_completion_tokens");
  });

  it("lets a vendor extend the forwarded parameters without repeating OpenAI's", () => {
    const extended = createOpenAICompatibleAdapter({
      providerLabel: "Vendor",
      credential: { scheme: "bearer" },
      forwardedParameters: [...openAIRequestParameters, "top_k", "max_tokens"],
    });
    const request = extended.toUpstreamRequest({
      body: { messages: [], temperature: 1, top_k: 40, min_p: 0.1, max_tokens: 5 },
      upstreamModel: "m",
      stream: false,
      maxCompletionTokens: null,
      baseUrl,
    });
    // Even a vendor that lists max_tokens gets only the reserved cap, here none.
    expect(request.body).toEqual({ messages: [], temperature: 1, top_k: 40, model: "m", stream: false });
  });

  describe("a vendor's quirks from the catalog (issue 11)", () => {
    const body: ChatRequest = { messages: [{ role: "user", content: "Hi" }], temperature: 0.5, logit_bias: { "50256": -100 }, top_k: 40, provider: { order: ["a"] } };

    it("forces the output cap field for every model of the vendor", () => {
      const reasoningAware = createOpenAICompatibleAdapter({ providerLabel: "Vendor", credential: { scheme: "bearer" }, maxCompletionTokensModels: /^o\d/ });
      const forced = reasoningAware.toUpstreamRequest({ body, upstreamModel: "llama-3", stream: false, maxCompletionTokens: 50, baseUrl, quirks: { outputCapParameter: "max_completion_tokens" } });
      expect(forced.body).toMatchObject({ max_completion_tokens: 50 });
      expect(forced.body).not.toHaveProperty("max_tokens");
      const classic = reasoningAware.toUpstreamRequest({ body, upstreamModel: "o4-mini", stream: false, maxCompletionTokens: 50, baseUrl, quirks: { outputCapParameter: "max_tokens" } });
      expect(classic.body).toMatchObject({ max_tokens: 50 });
      expect(classic.body).not.toHaveProperty("max_completion_tokens");
    });

    it("sends no stream_options to a server that rejects them, and asks for usage otherwise", () => {
      const without = adapter.toUpstreamRequest({ body, upstreamModel: "m", stream: true, maxCompletionTokens: null, baseUrl, quirks: { streamUsage: false } });
      expect(without.body).not.toHaveProperty("stream_options");
      const withUsage = adapter.toUpstreamRequest({ body, upstreamModel: "m", stream: true, maxCompletionTokens: null, baseUrl, quirks: {} });
      expect(withUsage.body["stream_options"]).toEqual({ include_usage: true });
    });

    it("drops the parameters the vendor rejects and forwards its extra ones, naming what it dropped", () => {
      const request = adapter.toUpstreamRequest({
        body,
        upstreamModel: "m",
        stream: false,
        maxCompletionTokens: null,
        baseUrl,
        quirks: { dropParameters: ["logit_bias"], extraParameters: ["top_k", "provider", "stream_options"] },
      });
      expect(request.body).toEqual({ messages: body.messages, temperature: 0.5, top_k: 40, model: "m", stream: false });
      expect(request.warnings).toEqual([{ type: "unsupported-parameter", parameter: "logit_bias" }]);
      // Without the quirks the same body loses top_k and keeps logit_bias.
      const plain = adapter.toUpstreamRequest({ body, upstreamModel: "m", stream: false, maxCompletionTokens: null, baseUrl });
      expect(plain.body).toMatchObject({ logit_bias: { "50256": -100 } });
      expect(plain.warnings).toEqual([{ type: "unsupported-parameter", parameter: "top_k" }]);
    });
  });

  it("does not modify the caller's body", () => {
    const body: ChatRequest = { model: "x", messages: [], provider: { order: ["a"] }, max_tokens: 3 };
    adapter.toUpstreamRequest({ body, upstreamModel: "y", stream: true, maxCompletionTokens: 1, baseUrl });
    expect(body).toEqual({ model: "x", messages: [], provider: { order: ["a"] }, max_tokens: 3 });
  });
});

describe("openai-compatible adapter: fromUpstreamResponse", () => {
  it("turns a recorded completion into parts", async () => {
    const { parts } = adapter.fromUpstreamResponse(JSON.parse(await fixture("openai-chat-completion.json")));
    expect(parts).toMatchInlineSnapshot(`
      [
        {
          "type": "stream-start",
          "upstreamId": "chatcmpl-CfqKa1mYt6Wn2Hd9VxRr3LpQ8sE0u",
        },
        {
          "text": "Hello! How can I assist you today?",
          "type": "text-delta",
        },
        {
          "finishReason": "stop",
          "nativeFinishReason": "stop",
          "type": "finish",
        },
        {
          "type": "usage",
          "usage": {
            "cacheWriteTokens": 0,
            "cachedPromptTokens": 0,
            "completionTokens": 10,
            "promptTokens": 19,
            "reasoningTokens": 0,
          },
        },
      ]
    `);
  });

  it("turns a recorded tool-call completion into one delta per call with whole arguments", async () => {
    const { parts } = adapter.fromUpstreamResponse(JSON.parse(await fixture("openai-chat-completion-tool-calls.json")));
    expect(parts).toMatchInlineSnapshot(`
      [
        {
          "type": "stream-start",
          "upstreamId": "chatcmpl-CfqOe7Tn4Bv1Kx9WsYd2LmRq6Hp3a",
        },
        {
          "argumentsDelta": "{"location": "Paris"}",
          "id": "call_8Qx2mR7vLk3pTn5wYd1fJ0aZ",
          "index": 0,
          "name": "get_weather",
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "{"location": "Tokyo"}",
          "id": "call_3Vb9nHs2Lq6rWc8tXe4gPy7K",
          "index": 1,
          "name": "get_weather",
          "type": "tool-call-delta",
        },
        {
          "finishReason": "tool_calls",
          "nativeFinishReason": "tool_calls",
          "type": "finish",
        },
        {
          "type": "usage",
          "usage": {
            "cacheWriteTokens": 0,
            "cachedPromptTokens": 32,
            "completionTokens": 46,
            "promptTokens": 58,
            "reasoningTokens": 0,
          },
        },
      ]
    `);
  });

  it("omits usage that lacks the completion count instead of counting it as zero", () => {
    const { parts } = adapter.fromUpstreamResponse({
      id: "x",
      choices: [{ index: 0, message: { content: "hi" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 9, completion_tokens: null },
    });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "text-delta", "finish"]);
  });

  it("reports reasoning_content as reasoning and omits usage the provider did not send", () => {
    const { parts } = adapter.fromUpstreamResponse({
      id: "x",
      choices: [{ index: 0, message: { role: "assistant", content: "4", reasoning_content: "2+2" }, finish_reason: "stop" }],
    });
    expect(parts.map((part) => part.type)).toEqual(["stream-start", "reasoning-delta", "text-delta", "finish"]);
  });

  it("rejects a body that is not a completion as a retryable upstream error", () => {
    expect.assertions(2);
    try {
      adapter.fromUpstreamResponse({ object: "list", data: [] });
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(SwitchboardError);
      expect((thrown as SwitchboardError).error).toMatchObject({ code: gatewayErrorCodes.upstreamError, status: 502, retryable: true });
    }
  });
});

describe("openai-compatible adapter: fromUpstreamStreamEvent", () => {
  it("turns a recorded text stream into stream-start, text deltas, finish and usage", async () => {
    expect(await replayStream(await fixture("openai-stream-text.sse"))).toMatchInlineSnapshot(`
      [
        {
          "type": "stream-start",
          "upstreamId": "chatcmpl-CfqLw0bKZ3xVx8yGkQmT1nUe4rJ2p",
        },
        {
          "text": "Hello",
          "type": "text-delta",
        },
        {
          "text": "!",
          "type": "text-delta",
        },
        {
          "text": " How",
          "type": "text-delta",
        },
        {
          "text": " can",
          "type": "text-delta",
        },
        {
          "text": " I",
          "type": "text-delta",
        },
        {
          "text": " assist",
          "type": "text-delta",
        },
        {
          "text": " you",
          "type": "text-delta",
        },
        {
          "text": " today",
          "type": "text-delta",
        },
        {
          "text": "?",
          "type": "text-delta",
        },
        {
          "finishReason": "stop",
          "nativeFinishReason": "stop",
          "type": "finish",
        },
        {
          "type": "usage",
          "usage": {
            "cacheWriteTokens": 0,
            "cachedPromptTokens": 0,
            "completionTokens": 10,
            "promptTokens": 19,
            "reasoningTokens": 0,
          },
        },
      ]
    `);
  });

  it("turns a recorded parallel tool-call stream into tool-call deltas", async () => {
    expect(await replayStream(await fixture("openai-stream-tool-calls.sse"))).toMatchInlineSnapshot(`
      [
        {
          "type": "stream-start",
          "upstreamId": "chatcmpl-CfqN2sVd8HqYwP0aJrL5eXk7cM1tB",
        },
        {
          "argumentsDelta": "",
          "id": "call_8Qx2mR7vLk3pTn5wYd1fJ0aZ",
          "index": 0,
          "name": "get_weather",
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "{"lo",
          "index": 0,
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "cation": "P",
          "index": 0,
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "aris"}",
          "index": 0,
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "",
          "id": "call_3Vb9nHs2Lq6rWc8tXe4gPy7K",
          "index": 1,
          "name": "get_weather",
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "{"lo",
          "index": 1,
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "cation": "T",
          "index": 1,
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "okyo"}",
          "index": 1,
          "type": "tool-call-delta",
        },
        {
          "finishReason": "tool_calls",
          "nativeFinishReason": "tool_calls",
          "type": "finish",
        },
        {
          "type": "usage",
          "usage": {
            "cacheWriteTokens": 0,
            "cachedPromptTokens": 0,
            "completionTokens": 46,
            "promptTokens": 58,
            "reasoningTokens": 0,
          },
        },
      ]
    `);
  });

  it("maps reasoning and reasoning_content deltas and ignores empty deltas", () => {
    const state = adapter.createStreamState();
    const parts = [
      ...adapter.fromUpstreamStreamEvent(streamEvent({ id: "g1", choices: [{ index: 0, delta: { role: "assistant", content: "" } }] }), state),
      ...adapter.fromUpstreamStreamEvent(streamEvent({ id: "g1", choices: [{ index: 0, delta: { reasoning: "think" } }] }), state),
      ...adapter.fromUpstreamStreamEvent(streamEvent({ id: "g1", choices: [{ index: 0, delta: { reasoning_content: " more" } }] }), state),
      ...adapter.fromUpstreamStreamEvent(streamEvent({ id: "g1", choices: [{ index: 0, delta: { content: null, tool_calls: [{ index: 0, function: { arguments: "" } }] } }] }), state),
      ...adapter.fromUpstreamStreamEvent(streamEvent({ id: "g1", choices: [{ index: 0, delta: {}, finish_reason: "function_call" }] }), state),
    ];
    expect(parts).toEqual([
      { type: "stream-start", upstreamId: "g1" },
      { type: "reasoning-delta", text: "think" },
      { type: "reasoning-delta", text: " more" },
      { type: "finish", finishReason: "tool_calls", nativeFinishReason: "function_call" },
    ]);
  });

  it("emits no usage part when the provider's usage lacks a total", () => {
    const state = adapter.createStreamState();
    adapter.fromUpstreamStreamEvent(streamEvent({ id: "g", choices: [{ index: 0, delta: { content: "x" }, finish_reason: "stop" }] }), state);
    expect(adapter.fromUpstreamStreamEvent(streamEvent({ id: "g", choices: [], usage: { prompt_tokens: 12 } }), state)).toEqual([]);
  });

  it("counts a stream as complete after [DONE] or a finish reason, not after deltas alone", () => {
    const delta = streamEvent({ id: "g", choices: [{ index: 0, delta: { content: "x" } }] });
    const finishing = streamEvent({ id: "g", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });

    const truncated = adapter.createStreamState();
    adapter.fromUpstreamStreamEvent(delta, truncated);
    expect(adapter.isStreamComplete(truncated)).toBe(false);

    const withoutDone = adapter.createStreamState();
    adapter.fromUpstreamStreamEvent(delta, withoutDone);
    adapter.fromUpstreamStreamEvent(finishing, withoutDone);
    expect(adapter.isStreamComplete(withoutDone)).toBe(true);

    const withoutFinish = adapter.createStreamState();
    adapter.fromUpstreamStreamEvent(delta, withoutFinish);
    adapter.fromUpstreamStreamEvent({ data: "[DONE]" }, withoutFinish);
    expect(adapter.isStreamComplete(withoutFinish)).toBe(true);
  });

  it("ignores everything after [DONE]", () => {
    const state = adapter.createStreamState();
    expect(adapter.fromUpstreamStreamEvent({ data: "[DONE]" }, state)).toEqual([]);
    expect(adapter.fromUpstreamStreamEvent(streamEvent({ id: "late", choices: [{ index: 0, delta: { content: "x" } }] }), state)).toEqual([]);
  });

  it("emits one finish even if a vendor repeats finish_reason", () => {
    const state = adapter.createStreamState();
    const finishing = streamEvent({ id: "g", choices: [{ index: 0, delta: {}, finish_reason: "length" }] });
    const parts = [...adapter.fromUpstreamStreamEvent(finishing, state), ...adapter.fromUpstreamStreamEvent(finishing, state)];
    expect(parts.filter((part) => part.type === "finish")).toHaveLength(1);
  });

  it("throws a retryable upstream error for a non-JSON event and for an error reported inside the stream", () => {
    const state = adapter.createStreamState();
    expect(() => adapter.fromUpstreamStreamEvent({ data: "{not json" }, state)).toThrow(SwitchboardError);
    try {
      adapter.fromUpstreamStreamEvent(streamEvent({ error: { message: "overloaded", code: 503 } }), state);
      expect.unreachable();
    } catch (thrown) {
      expect((thrown as SwitchboardError).error).toMatchObject({
        code: gatewayErrorCodes.upstreamError,
        retryable: true,
        metadata: { raw: "overloaded", provider_code: "503" },
      });
    }
  });
});

describe("openai-compatible adapter: fromUpstreamError", () => {
  it("reports a recorded 404 as the provider's invalid request, not retryable", async () => {
    expect(adapter.fromUpstreamError(404, await fixture("openai-error-body.json"))).toMatchInlineSnapshot(`
      {
        "code": "invalid_request",
        "message": "Provider returned error",
        "metadata": {
          "provider_code": "model_not_found",
          "raw": "The model \`gpt-4o-mini-typo\` does not exist or you do not have access to it.",
        },
        "retryable": false,
        "status": 400,
      }
    `);
  });

  it.each([
    [429, gatewayErrorCodes.upstreamRateLimited, 429, true],
    [500, gatewayErrorCodes.upstreamError, 502, true],
    [503, gatewayErrorCodes.upstreamError, 502, true],
    [408, gatewayErrorCodes.upstreamTimeout, 408, true],
    [400, gatewayErrorCodes.invalidRequest, 400, false],
    [422, gatewayErrorCodes.invalidRequest, 400, false],
  ])("maps HTTP %i to %s (status %i, retryable %s)", (status, code, gatewayStatus, retryable) => {
    const body = JSON.stringify({ error: { message: "nope", type: "some_error", code: null } });
    expect(adapter.fromUpstreamError(status, body)).toMatchObject({ code, status: gatewayStatus, retryable, metadata: { raw: "nope", provider_code: "some_error" } });
  });

  it.each([401, 403])("tells the operator to fix a rejected provider key (HTTP %i), keeping the provider's message and code", (status) => {
    // The key quoted in the message is scrubbed by the handler, which knows the key (scrub-key-material.ts).
    const body = JSON.stringify({ error: { message: "Incorrect API key provided: sk-proj-****abcd", type: "invalid_request_error", code: "invalid_api_key" } });
    const error = adapter.fromUpstreamError(status, body);
    expect(error).toMatchObject({ code: gatewayErrorCodes.upstreamError, status: 502, retryable: false });
    expect(error.message).toMatch(/provider key.*operator/);
    expect(error.metadata).toEqual({ raw: "Incorrect API key provided: sk-proj-****abcd", provider_code: "invalid_api_key" });
  });

  it("keeps a truncated raw body when the error is not JSON", () => {
    const error = adapter.fromUpstreamError(502, `<html>${"x".repeat(5_000)}</html>`);
    expect(error.code).toBe(gatewayErrorCodes.upstreamError);
    expect(String(error.metadata?.["raw"]).length).toBeLessThanOrEqual(1_001);
    expect(error.metadata).not.toHaveProperty("provider_code");
  });
});

describe("openai-compatible adapter: refusal and logprobs (issue 11)", () => {
  const token = (text: string, logprob: number) => ({ token: text, logprob, bytes: [...Buffer.from(text)], top_logprobs: [{ token: text, logprob, bytes: null }] });

  it("carries a whole answer's refusal and token log probabilities as parts", () => {
    const { parts } = adapter.fromUpstreamResponse({
      id: "chatcmpl-1",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: null, refusal: "No." },
          logprobs: { content: null, refusal: [{ ...token("No", -0.5), vendor_extra: 1 }, token(".", -0.1)] },
          finish_reason: "stop",
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
    expect(parts.slice(0, 3)).toEqual([
      { type: "stream-start", upstreamId: "chatcmpl-1" },
      { type: "refusal-delta", text: "No." },
      { type: "logprobs-delta", refusal: [token("No", -0.5), token(".", -0.1)] },
    ]);
  });

  it("carries each chunk's log probabilities after its text, and none when the chunk has none", () => {
    const state = adapter.createStreamState();
    const first = adapter.fromUpstreamStreamEvent(
      streamEvent({ id: "c", choices: [{ index: 0, delta: { content: "Hi" }, logprobs: { content: [token("Hi", -0.2)], refusal: null } }] }),
      state,
    );
    expect(first).toEqual([
      { type: "stream-start", upstreamId: "c" },
      { type: "text-delta", text: "Hi" },
      { type: "logprobs-delta", content: [token("Hi", -0.2)] },
    ]);
    const second = adapter.fromUpstreamStreamEvent(streamEvent({ id: "c", choices: [{ index: 0, delta: { refusal: "Sorry" }, logprobs: null }] }), state);
    expect(second).toEqual([{ type: "refusal-delta", text: "Sorry" }]);
  });

  describe("reasoning", () => {
    const assistantWithDetails = {
      role: "assistant" as const,
      content: null,
      tool_calls: [{ id: "toolu_1", type: "function" as const, function: { name: "get_weather", arguments: "{}" } }],
      reasoning_details: [{ type: "reasoning.text", text: "Think.", signature: "sig", format: "anthropic-claude-v1", index: 0 }],
    };
    const conversation: ChatRequest["messages"] = [{ role: "user", content: "Weather?" }, assistantWithDetails, { role: "tool", tool_call_id: "toolu_1", content: "18°C" }];

    it("sends an effort as OpenAI's reasoning_effort, off as none, and names a budget it cannot send", () => {
      const build = (extra: Partial<ChatRequest>) =>
        adapter.toUpstreamRequest({ body: { messages: [{ role: "user", content: "Hi" }], ...extra }, upstreamModel: "o4-mini", stream: false, maxCompletionTokens: null, baseUrl });
      expect(build({ reasoning: { effort: "high" } })).toMatchObject({ body: { reasoning_effort: "high" }, warnings: [] });
      expect(build({ reasoning: { enabled: false } })).toMatchObject({ body: { reasoning_effort: "none" }, warnings: [] });
      expect(build({ reasoning: { exclude: true, effort: "low" } })).toMatchObject({ body: { reasoning_effort: "low" }, warnings: [] });
      // The client's own reasoning_effort stands.
      expect(build({ reasoning: { effort: "high" }, reasoning_effort: "low" }).body["reasoning_effort"]).toBe("low");
      const budget = build({ reasoning: { max_tokens: 2_000 } });
      expect(budget.body).not.toHaveProperty("reasoning_effort");
      expect(budget.body).not.toHaveProperty("reasoning");
      expect(budget.warnings).toEqual([{ type: "unsupported-parameter", parameter: "reasoning" }]);
    });

    it("leaves reasoning_details off assistant messages for a vendor that does not take them, and forwards both to one that does (OpenRouter upstream)", () => {
      const plain = adapter.toUpstreamRequest({ body: { messages: conversation }, upstreamModel: "gpt-5", stream: false, maxCompletionTokens: null, baseUrl });
      expect((plain.body["messages"] as Record<string, unknown>[])[1]).not.toHaveProperty("reasoning_details");
      expect((plain.body["messages"] as Record<string, unknown>[])[1]).toMatchObject({ role: "assistant", tool_calls: assistantWithDetails.tool_calls });
      const openRouter = adapter.toUpstreamRequest({
        body: { messages: conversation, reasoning: { max_tokens: 2_000 } },
        upstreamModel: "anthropic/claude-sonnet-4.5",
        stream: false,
        maxCompletionTokens: null,
        baseUrl,
        quirks: { extraParameters: ["reasoning"] },
      });
      expect(openRouter.body["reasoning"]).toEqual({ max_tokens: 2_000 });
      expect((openRouter.body["messages"] as Record<string, unknown>[])[1]).toEqual(assistantWithDetails);
      expect(openRouter.warnings).toEqual([]);
    });

    it("keeps reasoning.exclude from an upstream that takes OpenRouter's reasoning, so its reasoning still arrives (the connector hides the text itself)", () => {
      const forward = (reasoning: ChatRequest["reasoning"]) =>
        adapter.toUpstreamRequest({
          body: { messages: [{ role: "user", content: "Hi" }], reasoning },
          upstreamModel: "anthropic/claude-sonnet-4.5",
          stream: false,
          maxCompletionTokens: null,
          baseUrl,
          quirks: { extraParameters: ["reasoning"] },
        });
      expect(forward({ effort: "high", exclude: true })).toMatchObject({ body: { reasoning: { effort: "high" } }, warnings: [] });
      expect(forward({ max_tokens: 2_000, exclude: false }).body["reasoning"]).toEqual({ max_tokens: 2_000 });
      // exclude alone asks nothing of the model's reasoning: nothing is left to send.
      const alone = forward({ exclude: true });
      expect(alone.body).not.toHaveProperty("reasoning");
      expect(alone.warnings).toEqual([]);
    });

    it("passes an upstream's reasoning_details on, whole and streamed", () => {
      const detail = { type: "reasoning.text", text: "Think.", signature: "sig", format: "anthropic-claude-v1", index: 0 };
      const { parts } = adapter.fromUpstreamResponse({
        id: "gen-1",
        choices: [{ index: 0, message: { role: "assistant", content: "Hi.", reasoning: "Think.", reasoning_details: [detail, { type: "reasoning.future_kind" }] }, finish_reason: "stop" }],
        usage: { prompt_tokens: 5, completion_tokens: 7, completion_tokens_details: { reasoning_tokens: 3 } },
      });
      expect(parts.slice(1, 4)).toEqual([
        { type: "reasoning-delta", text: "Think." },
        { type: "reasoning-detail", detail },
        { type: "text-delta", text: "Hi." },
      ]);
      expect(parts.at(-1)).toMatchObject({ type: "usage", usage: { completionTokens: 7, reasoningTokens: 3 } });
      const streamed = adapter.fromUpstreamStreamEvent(streamEvent({ id: "gen-1", choices: [{ index: 0, delta: { reasoning: "Think.", reasoning_details: [detail] } }] }), adapter.createStreamState());
      expect(streamed.slice(1)).toEqual([
        { type: "reasoning-delta", text: "Think." },
        { type: "reasoning-detail", detail },
      ]);
    });
  });
});
