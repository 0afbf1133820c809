import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";

/** The official SDK as the client: if it accepts the fake's wire format, so will real OpenAI clients. */
describe("fake upstream", () => {
  let fakeUpstream: FakeUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    fakeUpstream = await startFakeUpstream();
    client = new OpenAI({ apiKey: "sk-fake", baseURL: fakeUpstream.url, maxRetries: 0, timeout: 5_000 });
  });
  afterAll(() => fakeUpstream.close());

  function recordedFor(text: string) {
    return fakeUpstream.requests.find((request) => JSON.stringify(request.body["messages"]).includes(text));
  }

  it("echoes the last user message in a non-streamed completion with usage", async () => {
    const messages = [{ role: "user" as const, content: "hello there" }];
    const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe("gpt-4o-mini");
    expect(completion.choices[0]).toMatchObject({
      index: 0,
      message: { role: "assistant", content: "Echo: hello there", refusal: null },
      finish_reason: "stop",
      logprobs: null,
    });
    const bytes = Buffer.byteLength(JSON.stringify(messages));
    expect(completion.usage).toMatchObject({ prompt_tokens: Math.ceil(bytes / 4), completion_tokens: 3, total_tokens: Math.ceil(bytes / 4) + 3 });

    const recorded = recordedFor("hello there");
    expect(recorded?.headers["authorization"]).toBe("Bearer sk-fake");
    expect(recorded?.body["model"]).toBe("gpt-4o-mini");
    await vi.waitFor(() => expect(recorded?.completed).toBe(true));
    expect(recorded?.closedAt).toBeUndefined();
  });

  it("streams word chunks, a finish chunk, a usage chunk and [DONE]", async () => {
    fakeUpstream.addRule("stream me", { text: "one two three", usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "stream me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("one two three");
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).map((chunk) => chunk.choices[0]?.delta.content)).toEqual(["one ", "two ", "three"]);
    const finishChunk = chunks.at(-2);
    expect(finishChunk?.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk" && chunk.id === chunks[0]?.id)).toBe(true);
  });

  it("sends no usage chunk unless the client asks for it", async () => {
    fakeUpstream.addRule("no usage please", { chunks: ["a", "b"] });
    const stream = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "no usage please" }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it("answers tool calls whole, and in pieces when streaming", async () => {
    const toolCalls = [{ id: "call_1", name: "get_weather", arguments: '{"location":"Paris"}' }];
    fakeUpstream.addRule(/^weather/, { toolCalls });
    const completion = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "weather now" }] });
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.tool_calls).toEqual([{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } }]);

    const stream = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "weather streamed" }], stream: true });
    let argumentsText = "";
    let name: string | undefined;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        name ??= call.function?.name;
        argumentsText += call.function?.arguments ?? "";
      }
    }
    expect(name).toBe("get_weather");
    expect(argumentsText).toBe('{"location":"Paris"}');
  });

  it("answers a scripted status with OpenAI's error body", async () => {
    fakeUpstream.addRule("rate limit me", { status: 429 });
    const failure = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "rate limit me" }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
    expect(failure).toMatchObject({ status: 429, code: "rate_limit_exceeded", type: "requests" });
  });

  it("resets the connection mid-stream after the scripted number of chunks", async () => {
    fakeUpstream.addRule("reset me", { text: "one two three four", resetAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "reset me" }], stream: true });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(received.join("")).toBe("one two ");
    const recorded = recordedFor("reset me");
    expect(recorded?.completed).toBe(false);
    expect(recorded?.closedAt).toBeTypeOf("number");
  });

  it("ends a stream cleanly after the scripted number of chunks, without finish or [DONE]", async () => {
    fakeUpstream.addRule("end early", { text: "one two three four", endStreamAfterChunks: 2, usage: { prompt_tokens: 1, completion_tokens: 1 } });
    const stream = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "end early" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("one two ");
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    const recorded = recordedFor("end early");
    await vi.waitFor(() => expect(recorded?.completed).toBe(true));
    expect(recorded?.closedAt).toBeUndefined();
  });

  it("leaves out [DONE] when scripted, after the finish chunk", async () => {
    fakeUpstream.addRule("no done", { text: "a b", omitDone: true });
    const response = await fetch(`${fakeUpstream.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "no done" }], stream: true }),
    });
    const transcript = await response.text();
    expect(transcript).toContain('"finish_reason":"stop"');
    expect(transcript).not.toContain("[DONE]");
  });

  it("records when a client gives up on a request that never gets an answer", async () => {
    fakeUpstream.addRule("hang", { neverRespond: true });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hang" }] }, { signal: controller.signal }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(recordedFor("hang")).toBeDefined());
    const abortedAt = Date.now();
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    await vi.waitFor(() => expect(recordedFor("hang")?.closedAt).toBeTypeOf("number"));
    expect(recordedFor("hang")!.closedAt! - abortedAt).toBeLessThan(1_000);
  });

  it("delays headers and chunks as scripted", async () => {
    fakeUpstream.addRule("slow", { text: "a b", delayBeforeHeadersMs: 150, delayBetweenChunksMs: 50 });
    const startedAt = Date.now();
    const stream = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "slow" }], stream: true });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    for await (const chunk of stream) void chunk;
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(240);
  });

  it("chooses the default script from the request body when given a function: a tool call first, the answer once the tool result is in", async () => {
    const local = await startFakeUpstream();
    try {
      const localClient = new OpenAI({ apiKey: "k", baseURL: local.url, maxRetries: 0 });
      local.setScript((body) =>
        (body["messages"] as { role: string }[]).some((message) => message.role === "tool") ? { text: "Sunny." } : { toolCalls: [{ id: "call_1", name: "get_weather", arguments: "{}" }] },
      );
      const question = [{ role: "user" as const, content: "Weather?" }];
      const call = await localClient.chat.completions.create({ model: "m", messages: question });
      expect(call.choices[0]?.message.tool_calls).toMatchObject([{ id: "call_1", function: { name: "get_weather" } }]);
      const answer = await localClient.chat.completions.create({ model: "m", messages: [...question, call.choices[0]!.message, { role: "tool", tool_call_id: "call_1", content: "sun" }] });
      expect(answer.choices[0]?.message.content).toBe("Sunny.");
    } finally {
      await local.close();
    }
  });

  it("uses the default script for unmatched requests and forgets everything on reset", async () => {
    const local = await startFakeUpstream();
    try {
      const localClient = new OpenAI({ apiKey: "k", baseURL: local.url, maxRetries: 0 });
      local.setScript({ text: "scripted", omitUsage: true });
      const completion = await localClient.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
      expect(completion.choices[0]?.message.content).toBe("scripted");
      expect(completion.usage).toBeUndefined();
      expect(local.requests).toHaveLength(1);
      local.reset();
      expect(local.requests).toHaveLength(0);
      const echoed = await localClient.chat.completions.create({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "parts" }] }] });
      expect(echoed.choices[0]?.message.content).toBe("Echo: parts");
    } finally {
      await local.close();
    }
  });
});
