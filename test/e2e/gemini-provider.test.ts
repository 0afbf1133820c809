import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { chatChunkSchema, chatResponseSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGeminiUpstream, type FakeGeminiUpstream } from "../fake-upstream/fake-gemini-upstream.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * An endpoint with `api: gemini` served through the whole stack by the Gemini adapter (issue 11): the
 * tool-calling conversation of the Anthropic test, through the official openai SDK.
 */
describe("a Gemini endpoint end to end (issue 11)", () => {
  let stack: TestStack;
  let gemini: FakeGeminiUpstream;
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
    gemini = await startFakeGeminiUpstream();
    const catalog = await readFile(stack.catalogPath, "utf8");
    await writeFile(
      stack.catalogPath,
      catalog.replace(
        "providers:\n",
        `providers:\n  - { id: google, name: Google AI Studio, api: gemini, base_url: "${gemini.url}", api_key_env: PRIMARY_API_KEY, data_policy: { training: false, retains_prompts: true, retention_days: 55, zdr: false } }\n`,
      ) +
        `  - id: test/gemini
    name: "Test: Gemini"
    context_length: 1000000
    endpoints:
      - { provider: google, upstream_model: gemini-test-1, pricing: { prompt: "0.0000003", completion: "0.0000025" }, max_completion_tokens: 4000 }
`,
    );
    await stack.restartRouter();
    const { key } = await stack.createFundedKey("10.00");
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    for (const started = Date.now(); ; await sleep(20)) {
      const response = await fetch(`${stack.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
      if (JSON.stringify(await response.json()).includes("test/gemini")) break;
      if (Date.now() - started > 5_000) throw new Error("test/gemini never appeared");
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await gemini?.close();
  });

  /** Calls get_weather first; answers once the function result is in the conversation. */
  function scriptConversation(): void {
    gemini.setScript((body) => {
      const contents = body["contents"] as { parts: Record<string, unknown>[] }[];
      const answered = contents.some((content) => content.parts.some((part) => part["functionResponse"] !== undefined));
      return answered
        ? { text: "It is 18°C in Paris.", usage: { promptTokenCount: 50, candidatesTokenCount: 8, thoughtsTokenCount: 20, cachedContentTokenCount: 30 } }
        : { functionCalls: [{ name: "get_weather", args: { city: "Paris" } }], usage: { promptTokenCount: 40, candidatesTokenCount: 6 } };
    });
  }

  it("runs a tool-calling conversation, whole answers, with Gemini's usage in OpenAI terms", async () => {
    scriptConversation();
    const first = await client.chat.completions.create({ model: "test/gemini", messages: question, tools });
    expect(chatResponseSchema.parse(first)).toBeTruthy();
    expect((first as unknown as { provider: string }).provider).toBe("Google AI Studio");
    expect(first.choices[0]).toMatchObject({ finish_reason: "tool_calls", native_finish_reason: "STOP", message: { content: null } });
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(call).toMatchObject({ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
    expect(call.id).toMatch(/^call_/);
    expect(first.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 6 });

    const sent = gemini.requests.at(-1)!;
    expect(sent.url).toBe("/v1beta/models/gemini-test-1:generateContent");
    expect(sent.headers["x-goog-api-key"]).toBe("sk-primary-test");
    expect(sent.body).toMatchObject({
      systemInstruction: { parts: [{ text: "You are terse." }] },
      contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }],
      tools: [{ functionDeclarations: [{ name: "get_weather" }] }],
      generationConfig: { maxOutputTokens: 4000 },
    });

    const second = await client.chat.completions.create({
      model: "test/gemini",
      tools,
      messages: [...question, first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "18°C" }],
    });
    expect(second.choices[0]).toMatchObject({ finish_reason: "stop", native_finish_reason: "STOP", message: { content: "It is 18°C in Paris." } });
    // Thinking tokens are inside completion_tokens; cached tokens inside prompt_tokens.
    expect(second.usage).toMatchObject({
      prompt_tokens: 50,
      completion_tokens: 28,
      prompt_tokens_details: { cached_tokens: 30 },
      completion_tokens_details: { reasoning_tokens: 20 },
    });
    expect((gemini.requests.at(-1)!.body["contents"] as unknown[]).slice(1)).toEqual([
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] },
      { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { content: "18°C" } } }] },
    ]);
  });

  it("streams the same conversation with the same tool call, text and usage", async () => {
    scriptConversation();
    const stream = await client.chat.completions.create({ model: "test/gemini", messages: question, tools, stream: true });
    const call = { id: "", name: "", arguments: "" };
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      expect(chatChunkSchema.safeParse(chunk).success).toBe(true);
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        call.id += delta.id ?? "";
        call.name += delta.function?.name ?? "";
        call.arguments += delta.function?.arguments ?? "";
      }
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect(call).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(finishReason).toBe("tool_calls");
    expect(gemini.requests.at(-1)!.url).toBe("/v1beta/models/gemini-test-1:streamGenerateContent?alt=sse");

    const answer = await client.chat.completions.create({
      model: "test/gemini",
      tools,
      stream: true,
      messages: [
        ...question,
        { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] },
        { role: "tool", tool_call_id: call.id, content: "18°C" },
      ],
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of answer) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe("It is 18°C in Paris.");
    expect(usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 28, prompt_tokens_details: { cached_tokens: 30 } });
  });
});
