import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { chatChunkSchema, chatResponseSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from "../fake-upstream/fake-anthropic-upstream.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * An endpoint with `api: anthropic` served through the whole stack by the Messages API adapter (issue 11):
 * the same tool-calling conversation as with an OpenAI upstream, through the official openai SDK.
 */
describe("an Anthropic endpoint end to end (issue 11)", () => {
  let stack: TestStack;
  let anthropic: FakeAnthropicUpstream;
  let client: OpenAI;

  const tools = [
    {
      type: "function" as const,
      function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
    },
  ];
  const question: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Weather in Paris?" },
  ];

  beforeAll(async () => {
    stack = await startStack();
    anthropic = await startFakeAnthropicUpstream();
    const catalog = await readFile(stack.catalogPath, "utf8");
    const withAnthropic =
      catalog.replace(
        "providers:\n",
        `providers:\n  - { id: claude, name: Claude Co, api: anthropic, base_url: "${anthropic.url}", api_key_env: PRIMARY_API_KEY, data_policy: { training: false, retains_prompts: false, zdr: true } }\n`,
      ) +
      `  - id: test/claude
    name: "Test: Claude"
    context_length: 200000
    endpoints:
      - { provider: claude, upstream_model: claude-test-1, pricing: { prompt: "0.000003", completion: "0.000015" }, max_completion_tokens: 2000, supported_parameters: [temperature, top_p, top_k, stop, tools, tool_choice, parallel_tool_calls, max_tokens] }
`;
    await writeFile(stack.catalogPath, withAnthropic);
    await stack.restartRouter();
    const { key } = await stack.createFundedKey("10.00");
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    // The new snapshot reaches ingress asynchronously.
    for (const started = Date.now(); ; await sleep(20)) {
      const response = await fetch(`${stack.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
      if (JSON.stringify(await response.json()).includes("test/claude")) break;
      if (Date.now() - started > 5_000) throw new Error("test/claude never appeared");
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await anthropic?.close();
  });

  /** Calls get_weather first; answers once the tool result is in the conversation. */
  function scriptConversation(): void {
    anthropic.setScript((body) => {
      const messages = body["messages"] as { content: { type: string }[] }[];
      const hasToolResult = messages.some((message) => message.content.some((block) => block.type === "tool_result"));
      return hasToolResult
        ? { text: "It is 18°C in Paris.", usage: { input_tokens: 40, cache_read_input_tokens: 100, output_tokens: 9 } }
        : { toolCalls: [{ id: "toolu_paris", name: "get_weather", arguments: '{"city":"Paris"}' }], usage: { input_tokens: 30, cache_creation_input_tokens: 100, output_tokens: 12 } };
    });
  }

  it("runs a tool-calling conversation, whole answers, with Anthropic's usage in OpenAI terms", async () => {
    scriptConversation();
    const first = await client.chat.completions.create({ model: "test/claude", messages: question, tools });
    expect(chatResponseSchema.parse(first)).toBeTruthy();
    expect((first as unknown as { provider: string }).provider).toBe("Claude Co");
    expect(first.model).toBe("test/claude");
    expect(first.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      native_finish_reason: "tool_use",
      message: { content: null, tool_calls: [{ id: "toolu_paris", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
    });
    // prompt = input + cache write (+ cache read, none here).
    expect(first.usage).toMatchObject({ prompt_tokens: 130, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } });

    const sent = anthropic.requests.at(-1)!;
    expect(sent.headers["x-api-key"]).toBe("sk-primary-test");
    expect(sent.headers["anthropic-version"]).toBe("2023-06-01");
    expect(sent.headers["authorization"]).toBeUndefined();
    expect(sent.body).toMatchObject({
      model: "claude-test-1",
      max_tokens: 2000,
      system: [{ type: "text", text: "You are terse." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Weather in Paris?" }] }],
      tools: [{ name: "get_weather", input_schema: { type: "object" } }],
    });

    const second = await client.chat.completions.create({
      model: "test/claude",
      tools,
      messages: [...question, first.choices[0]!.message, { role: "tool", tool_call_id: "toolu_paris", content: "18°C" }],
    });
    expect(second.choices[0]).toMatchObject({ finish_reason: "stop", native_finish_reason: "end_turn", message: { content: "It is 18°C in Paris." } });
    expect(second.usage).toMatchObject({ prompt_tokens: 140, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 100 } });
    expect(anthropic.requests.at(-1)!.body["messages"]).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_paris", name: "get_weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_paris", content: "18°C" }] },
    ]);
  });

  it("streams the same conversation with the same tool call, text and usage", async () => {
    scriptConversation();
    const stream = await client.chat.completions.create({ model: "test/claude", messages: question, tools, stream: true });
    const call = { id: "", name: "", arguments: "" };
    let finishReason: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chatChunkSchema.safeParse(chunk).success).toBe(true);
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        call.id += delta.id ?? "";
        call.name += delta.function?.name ?? "";
        call.arguments += delta.function?.arguments ?? "";
      }
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
    expect(call).toEqual({ id: "toolu_paris", name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(finishReason).toBe("tool_calls");
    expect(usage).toMatchObject({ prompt_tokens: 130, completion_tokens: 12 });
    expect(anthropic.requests.at(-1)!.body["stream"]).toBe(true);

    const answer = await client.chat.completions.create({
      model: "test/claude",
      tools,
      stream: true,
      messages: [
        ...question,
        { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] },
        { role: "tool", tool_call_id: call.id, content: "18°C" },
      ],
    });
    let text = "";
    for await (const chunk of answer) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe("It is 18°C in Paris.");
    expect(usage).toMatchObject({ prompt_tokens: 140, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 100 } });
  });

  it("reports Anthropic's 529 overloaded answer as a retryable provider error naming the provider", async () => {
    anthropic.setScript({ status: 529 });
    const response = await client.chat.completions.create({ model: "test/claude", messages: question }).catch((error: unknown) => error);
    expect(response).toBeInstanceOf(OpenAI.APIError);
    const error = response as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    // The provider's own words travel in metadata.raw, as OpenRouter shows them.
    expect(error.error).toMatchObject({
      message: "The provider (Anthropic API) returned HTTP 529",
      metadata: { provider_name: "Claude Co", raw: "Scripted HTTP 529", provider_code: "overloaded_error", retryable: true },
    });
  });

  it("drops a temperature above 1 (anthropic-version 2023-06-01 takes 0–1), or refuses it naming the parameter under require_parameters; never clamps", async () => {
    anthropic.setScript({ text: "Warm." });
    const dropped = await client.chat.completions.create({ model: "test/claude", messages: question, temperature: 1.5 });
    expect(dropped.choices[0]?.message.content).toBe("Warm.");
    const seen = anthropic.requests.at(-1);
    expect(seen?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(seen?.body).not.toHaveProperty("temperature");

    const before = anthropic.requests.length;
    const refused = await client.chat.completions
      .create({ model: "test/claude", messages: question, temperature: 1.5, provider: { require_parameters: true } } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    const error = refused as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ metadata: { parameter: "temperature", error_type: "unsupported_parameter" } });
    expect(anthropic.requests.length).toBe(before);
  });

  it("refuses, naming the message, a system message the Messages API cannot take, without calling Anthropic", async () => {
    const before = anthropic.requests.length;
    const response = await client.chat.completions
      .create({ model: "test/claude", messages: [...question, { role: "assistant", content: "Hi." }, { role: "system", content: "Change of plan." }] })
      .catch((error: unknown) => error);
    expect(response).toBeInstanceOf(OpenAI.APIError);
    const error = response as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toContain("messages.3");
    expect(anthropic.requests).toHaveLength(before);
  });
});
