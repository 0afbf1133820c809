import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { chatChunkSchema, chatResponseSchema, type ReasoningDetail } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from "../fake-upstream/fake-anthropic-upstream.js";
import { startFakeGeminiUpstream, type FakeGeminiUpstream } from "../fake-upstream/fake-gemini-upstream.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/** What OpenRouter adds to the SDK's assistant message. */
type ReasoningMessage = OpenAI.Chat.ChatCompletionMessage & { reasoning?: string | null; reasoning_details?: ReasoningDetail[] };

/**
 * Reasoning through the whole stack with the official openai SDK (issue 11): a tool-calling conversation
 * whose first turn Anthropic serves with extended thinking, whose `reasoning_details` the client sends
 * back on the assistant message with the tool result, and whose second turn is served by Anthropic (which
 * must get its signed thinking block back before the tool_use) or by Gemini (which must not get it).
 */
describe("reasoning across a tool-call conversation (issue 11)", () => {
  let stack: TestStack;
  let anthropic: FakeAnthropicUpstream;
  let gemini: FakeGeminiUpstream;
  let client: OpenAI;

  const thinking = { text: "The user wants Paris weather. I will call get_weather.", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds" };
  const tools = [
    {
      type: "function" as const,
      function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
    },
  ];
  const question: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
  const reasoning = { reasoning: { max_tokens: 1_024 } };
  const supportedParameters = "[reasoning, include_reasoning, tools, tool_choice, max_tokens, temperature, response_format]";

  beforeAll(async () => {
    stack = await startStack();
    anthropic = await startFakeAnthropicUpstream();
    gemini = await startFakeGeminiUpstream();
    const catalog = await readFile(stack.catalogPath, "utf8");
    await writeFile(
      stack.catalogPath,
      catalog.replace(
        "providers:\n",
        `providers:\n  - { id: claude, name: Claude Co, api: anthropic, base_url: "${anthropic.url}", api_key_env: PRIMARY_API_KEY, data_policy: { training: false, retains_prompts: false, zdr: true } }\n` +
          `  - { id: google, name: Google AI Studio, api: gemini, base_url: "${gemini.url}", api_key_env: PRIMARY_API_KEY, data_policy: { training: false, retains_prompts: false, zdr: true } }\n`,
      ) +
        `  - id: test/claude-thinking
    name: "Test: Claude thinking"
    context_length: 200000
    input_modalities: [text, image]
    endpoints:
      - { provider: claude, upstream_model: claude-test-thinking, pricing: { prompt: "0.000003", completion: "0.000015" }, max_completion_tokens: 4000, supported_parameters: ${supportedParameters} }
  - id: test/gemini-thinking
    name: "Test: Gemini thinking"
    context_length: 1000000
    endpoints:
      - { provider: google, upstream_model: gemini-test-thinking, pricing: { prompt: "0.0000003", completion: "0.0000025" }, max_completion_tokens: 4000, supported_parameters: ${supportedParameters} }
`,
    );
    await stack.restartRouter();
    const { key } = await stack.createFundedKey("10.00");
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    for (const started = Date.now(); ; await sleep(20)) {
      const listing = JSON.stringify(await (await fetch(`${stack.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } })).json());
      if (listing.includes("test/claude-thinking") && listing.includes("test/gemini-thinking")) break;
      if (Date.now() - started > 5_000) throw new Error("the thinking models never appeared");
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await anthropic?.close();
    await gemini?.close();
  });

  /** Thinks and calls get_weather first; answers once the tool result is in the conversation. */
  function scriptAnthropic(): void {
    anthropic.setScript((body) => {
      const messages = body["messages"] as { content: { type: string }[] }[];
      const answered = messages.some((message) => message.content.some((block) => block.type === "tool_result"));
      return answered
        ? { text: "It is 18°C in Paris.", usage: { input_tokens: 60, output_tokens: 9 } }
        : { thinking, toolCalls: [{ id: "toolu_paris", name: "get_weather", arguments: '{"city":"Paris"}' }], usage: { input_tokens: 30, output_tokens: 80 } };
    });
  }

  const expectedDetails = [{ type: "reasoning.text", text: thinking.text, signature: thinking.signature, format: "anthropic-claude-v1", index: 0 }];

  /** The assistant turn Anthropic must get back: the signed thinking block first, then the tool use. */
  const expectedAssistantTurn = {
    role: "assistant",
    content: [
      { type: "thinking", thinking: thinking.text, signature: thinking.signature },
      { type: "tool_use", id: "toolu_paris", name: "get_weather", input: { city: "Paris" } },
    ],
  };

  it("returns Anthropic's thinking as reasoning and reasoning_details, and takes them back on the next turn (whole answers)", async () => {
    scriptAnthropic();
    const first = await client.chat.completions.create({ model: "test/claude-thinking", messages: question, tools, ...reasoning } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(chatResponseSchema.parse(first)).toBeTruthy();
    const message = first.choices[0]!.message as ReasoningMessage;
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message.reasoning).toBe(thinking.text);
    expect(message.reasoning_details).toEqual(expectedDetails);
    expect(first.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 80, completion_tokens_details: { reasoning_tokens: 0 } });
    expect(anthropic.requests.at(-1)!.body["thinking"]).toEqual({ type: "enabled", budget_tokens: 1_024 });

    // The client sends the assistant message back as it came, with the tool result.
    const conversation = [...question, message, { role: "tool" as const, tool_call_id: "toolu_paris", content: "18°C" }];
    const second = await client.chat.completions.create({ model: "test/claude-thinking", messages: conversation, tools, ...reasoning } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(second.choices[0]?.message.content).toBe("It is 18°C in Paris.");
    expect((anthropic.requests.at(-1)!.body["messages"] as unknown[])[1]).toEqual(expectedAssistantTurn);

    // The same conversation continued on Gemini: Anthropic's signed thinking is not Gemini's to check.
    gemini.setScript({ text: "Paris: 18°C.", usage: { promptTokenCount: 50, candidatesTokenCount: 6, thoughtsTokenCount: 12 } });
    const elsewhere = await client.chat.completions.create({ model: "test/gemini-thinking", messages: conversation, tools, ...reasoning } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(elsewhere.choices[0]?.message.content).toBe("Paris: 18°C.");
    expect(elsewhere.usage).toMatchObject({ completion_tokens: 18, completion_tokens_details: { reasoning_tokens: 12 } });
    const sentToGemini = gemini.requests.at(-1)!.body;
    expect(JSON.stringify(sentToGemini)).not.toContain(thinking.signature);
    expect(sentToGemini["generationConfig"]).toMatchObject({ thinkingConfig: { includeThoughts: true, thinkingBudget: 1_024 } });
    expect((sentToGemini["contents"] as unknown[])[1]).toEqual({ role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] });
  });

  it("streams the thinking as delta.reasoning and delta.reasoning_details, which rebuilt and sent back reach Anthropic intact", async () => {
    scriptAnthropic();
    const stream = await client.chat.completions.create({ model: "test/claude-thinking", messages: question, tools, stream: true, ...reasoning } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let reasoningText = "";
    const details: Record<string, unknown>[] = [];
    const call = { id: "", name: "", arguments: "" };
    for await (const chunk of stream) {
      expect(chatChunkSchema.safeParse(chunk).success).toBe(true);
      const delta = chunk.choices[0]?.delta as (OpenAI.Chat.ChatCompletionChunk.Choice.Delta & { reasoning?: string; reasoning_details?: Record<string, unknown>[] }) | undefined;
      reasoningText += delta?.reasoning ?? "";
      // How OpenRouter's clients rebuild reasoning_details: pieces with one index form one entry.
      for (const piece of delta?.reasoning_details ?? []) {
        const existing = details.find((detail) => detail["index"] === piece["index"] && detail["type"] === piece["type"]);
        if (existing === undefined) details.push({ ...piece });
        else for (const [field, value] of Object.entries(piece)) existing[field] = field === "text" ? `${existing["text"] as string}${value as string}` : value;
      }
      for (const toolCall of delta?.tool_calls ?? []) {
        call.id += toolCall.id ?? "";
        call.name += toolCall.function?.name ?? "";
        call.arguments += toolCall.function?.arguments ?? "";
      }
    }
    expect(reasoningText).toBe(thinking.text);
    expect(details).toEqual(expectedDetails);
    expect(anthropic.requests.at(-1)!.body["stream"]).toBe(true);

    const answer = await client.chat.completions.create({
      model: "test/claude-thinking",
      tools,
      stream: true,
      ...reasoning,
      messages: [
        ...question,
        { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }], reasoning_details: details },
        { role: "tool", tool_call_id: call.id, content: "18°C" },
      ],
    } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let text = "";
    for await (const chunk of answer) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("It is 18°C in Paris.");
    expect((anthropic.requests.at(-1)!.body["messages"] as unknown[])[1]).toEqual(expectedAssistantTurn);
  });

  it("with reasoning.exclude, returns no reasoning text but still counts and charges the reasoning tokens", async () => {
    scriptAnthropic();
    const hidden = await client.chat.completions.create({
      model: "test/claude-thinking",
      messages: question,
      tools,
      reasoning: { max_tokens: 1_024, exclude: true },
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    const message = hidden.choices[0]!.message as ReasoningMessage;
    expect(message.reasoning).toBeUndefined();
    // The signature over the hidden thinking, without its text: Anthropic needs the block back with the tool result.
    expect(message.reasoning_details).toEqual([{ type: "reasoning.text", signature: thinking.signature, format: "anthropic-claude-v1", index: 0 }]);
    expect(JSON.stringify(message.tool_calls)).toContain("get_weather");
    expect(JSON.stringify(hidden)).not.toContain("call get_weather");
    expect(hidden.usage).toMatchObject({ completion_tokens: 80 });

    // The next turn, with the tool result: Anthropic gets the signed thinking block (empty text) before its tool_use.
    const conversation = [...question, message, { role: "tool" as const, tool_call_id: "toolu_paris", content: "18°C" }];
    const second = await client.chat.completions.create({
      model: "test/claude-thinking",
      messages: conversation,
      tools,
      reasoning: { max_tokens: 1_024, exclude: true },
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(second.choices[0]?.message.content).toBe("It is 18°C in Paris.");
    expect((anthropic.requests.at(-1)!.body["messages"] as unknown[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "", signature: thinking.signature },
        { type: "tool_use", id: "toolu_paris", name: "get_weather", input: { city: "Paris" } },
      ],
    });

    // Gemini is asked for its thoughts under exclude too, so that its thinking counts as output (no fallback once it
    // thinks, charged on a cancel) as on every other provider; their text never reaches the client, the signature does.
    gemini.setScript({
      thought: "**Checking the sky**",
      functionCalls: [{ name: "get_weather", args: { city: "Paris" }, thoughtSignature: "CiQB0e2Kb7Zx" }],
      usage: { promptTokenCount: 10, candidatesTokenCount: 2, thoughtsTokenCount: 30 },
    });
    const stream = await client.chat.completions.create({
      model: "test/gemini-thinking",
      messages: question,
      tools,
      stream: true,
      reasoning: { effort: "low", exclude: true },
    } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let usage: OpenAI.CompletionUsage | undefined;
    const geminiDetails: unknown[] = [];
    for await (const chunk of stream) {
      expect(JSON.stringify(chunk)).not.toContain("Checking the sky");
      const delta = chunk.choices[0]?.delta as { reasoning?: string; reasoning_details?: unknown[] } | undefined;
      expect(delta?.reasoning).toBeUndefined();
      geminiDetails.push(...(delta?.reasoning_details ?? []));
      usage = chunk.usage ?? usage;
    }
    expect(geminiDetails).toEqual([expect.objectContaining({ type: "reasoning.encrypted", data: "CiQB0e2Kb7Zx", format: "google-gemini-v1" })]);
    expect(usage).toMatchObject({ completion_tokens: 32, completion_tokens_details: { reasoning_tokens: 30 } });
    // 10 prompt tokens at 0.3 µ$ and 32 completion tokens (the 30 reasoning ones included) at 2.5 µ$.
    expect((usage as unknown as { cost: number }).cost).toBeCloseTo((10 * 0.3 + 32 * 2.5) / 1e6, 9);
    expect(gemini.requests.at(-1)!.body["generationConfig"]).toMatchObject({ thinkingConfig: { includeThoughts: true, thinkingBudget: 800 } });
  });

  it("answers without thinking, naming reasoning on the record, where Anthropic cannot take it (a forced tool choice, a budget not below max_tokens), and refuses under require_parameters", async () => {
    anthropic.setScript({ toolCalls: [{ id: "toolu_paris", name: "get_weather", arguments: '{"city":"Paris"}' }], usage: { input_tokens: 30, output_tokens: 12 } });
    const recordOf = (generationId: string) =>
      waitFor(() => stack.database.database.selectFrom("generations").select("attempts").where("id", "=", generationId).executeTakeFirst(), 5_000, "generation row");
    for (const request of [
      { tools, tool_choice: "required", reasoning: { max_tokens: 1_024 } },
      { tools, tool_choice: { type: "function", function: { name: "get_weather" } }, reasoning: { effort: "high" } },
      { reasoning: { max_tokens: 1_024 }, max_tokens: 1_024 },
      { reasoning: { max_tokens: 500 } },
    ]) {
      const response = await client.chat.completions.create({ model: "test/claude-thinking", messages: question, ...request } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming).withResponse();
      expect(response.data.choices[0]?.finish_reason).toBe("tool_calls");
      expect(anthropic.requests.at(-1)!.body).not.toHaveProperty("thinking");
      const record = await recordOf(response.response.headers.get("x-generation-id")!);
      expect(record.attempts).toEqual([expect.objectContaining({ status: 200, droppedParameters: ["reasoning"] })]);
    }
    const before = anthropic.requests.length;
    const refused = await client.chat.completions
      .create({ model: "test/claude-thinking", messages: question, tools, tool_choice: "required", reasoning: { max_tokens: 1_024 }, provider: { require_parameters: true } } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((refused as InstanceType<typeof OpenAI.APIError>).message).toContain("reasoning");
    expect(anthropic.requests.length).toBe(before);
  });

  it("keeps thinking off for the rest of a tool-use loop whose call was forced without it, naming reasoning each time, so Anthropic never answers 400", async () => {
    anthropic.setScript((body) => {
      const messages = body["messages"] as { content: { type: string }[] }[];
      const answered = messages.some((message) => message.content.some((block) => block.type === "tool_result"));
      return answered ? { text: "It is 18°C in Paris.", usage: { input_tokens: 60, output_tokens: 9 } } : { toolCalls: [{ id: "toolu_forced", name: "get_weather", arguments: '{"city":"Paris"}' }] };
    });
    const recordOf = (generationId: string) =>
      waitFor(() => stack.database.database.selectFrom("generations").select("attempts").where("id", "=", generationId).executeTakeFirst(), 5_000, "generation row");
    const before = anthropic.requests.length;
    const forced = await client.chat.completions
      .create({ model: "test/claude-thinking", messages: question, tools, tool_choice: "required", ...reasoning } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    expect(forced.data.choices[0]?.finish_reason).toBe("tool_calls");
    expect(anthropic.requests.at(-1)!.body).not.toHaveProperty("thinking");
    expect((await recordOf(forced.response.headers.get("x-generation-id")!)).attempts).toEqual([expect.objectContaining({ status: 200, droppedParameters: ["reasoning"] })]);

    // The tool result goes back with tool_choice auto: the call has no thinking block to start the turn, so thinking stays off.
    const conversation = [...question, forced.data.choices[0]!.message, { role: "tool" as const, tool_call_id: "toolu_forced", content: "18°C" }];
    const answered = await client.chat.completions
      .create({ model: "test/claude-thinking", messages: conversation, tools, tool_choice: "auto", ...reasoning } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    expect(answered.data.choices[0]?.message.content).toBe("It is 18°C in Paris.");
    expect(anthropic.requests.at(-1)!.body).not.toHaveProperty("thinking");
    expect((await recordOf(answered.response.headers.get("x-generation-id")!)).attempts).toEqual([expect.objectContaining({ status: 200, droppedParameters: ["reasoning"] })]);
    expect(anthropic.requests.length).toBe(before + 2);
  });

  it("serves image parts to a model that takes images, as Anthropic image blocks (base64 and URL), and refuses them for one that does not", async () => {
    anthropic.setScript({ text: "A cat and a dog.", usage: { input_tokens: 3_000, output_tokens: 6 } });
    const content: OpenAI.Chat.ChatCompletionContentPart[] = [
      { type: "text", text: "What are these?" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==" } },
      { type: "image_url", image_url: { url: "https://upload.example.org/dog.jpg", detail: "low" } },
    ];
    const answer = await client.chat.completions.create({ model: "test/claude-thinking", messages: [{ role: "user", content }] });
    expect(answer.choices[0]?.message.content).toBe("A cat and a dog.");
    expect(answer.usage).toMatchObject({ prompt_tokens: 3_000 });
    expect(anthropic.requests.at(-1)!.body["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What are these?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==" } },
          { type: "image", source: { type: "url", url: "https://upload.example.org/dog.jpg" } },
        ],
      },
    ]);

    const before = gemini.requests.length;
    const refused = await client.chat.completions.create({ model: "test/gemini-thinking", messages: [{ role: "user", content }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect((refused as InstanceType<typeof OpenAI.APIError>).message).toMatch(/No endpoints found that support image input/);
    expect(gemini.requests.length).toBe(before);
  });

  it("answers a response_format on Anthropic through the forced JSON tool, as message content with finish_reason stop, whole and streamed", async () => {
    anthropic.setScript({ toolCalls: [{ id: "toolu_json", name: "switchboard_json_response", arguments: '{"city":"Paris","celsius":18}' }], usage: { input_tokens: 40, output_tokens: 12 } });
    const schema = { type: "object", properties: { city: { type: "string" }, celsius: { type: "number" } }, required: ["city", "celsius"] };
    const format = { type: "json_schema" as const, json_schema: { name: "weather", schema } };
    const whole = await client.chat.completions.create({ model: "test/claude-thinking", messages: question, response_format: format });
    expect(whole.choices[0]).toMatchObject({ finish_reason: "stop", native_finish_reason: "tool_use", message: { content: '{"city":"Paris","celsius":18}' } });
    expect(whole.choices[0]?.message.tool_calls).toBeUndefined();
    expect(anthropic.requests.at(-1)!.body).toMatchObject({
      tools: [{ name: "switchboard_json_response", input_schema: schema }],
      tool_choice: { type: "tool", name: "switchboard_json_response" },
    });

    const stream = await client.chat.completions.create({ model: "test/claude-thinking", messages: question, response_format: format, stream: true });
    let text = "";
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      expect(chunk.choices[0]?.delta.tool_calls).toBeUndefined();
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect(JSON.parse(text)).toEqual({ city: "Paris", celsius: 18 });
    expect(finishReason).toBe("stop");
  });

  it("returns Gemini's thought summary and thought signature, and puts the signature back on the function call it came with", async () => {
    gemini.setScript((body) => {
      const contents = body["contents"] as { parts: Record<string, unknown>[] }[];
      const answered = contents.some((content) => content.parts.some((part) => part["functionResponse"] !== undefined));
      return answered
        ? { text: "18°C in Paris.", usage: { promptTokenCount: 50, candidatesTokenCount: 5, thoughtsTokenCount: 10 } }
        : {
            thought: "**Weather lookup**",
            functionCalls: [{ name: "get_weather", args: { city: "Paris" }, thoughtSignature: "CiQB0e2Kb7ZxP4dYc3rJmQ0k" }],
            usage: { promptTokenCount: 40, candidatesTokenCount: 6, thoughtsTokenCount: 25 },
          };
    });
    const stream = await client.chat.completions.create({ model: "test/gemini-thinking", messages: question, tools, stream: true, reasoning: { effort: "high" } } as OpenAI.Chat.ChatCompletionCreateParamsStreaming);
    let reasoningText = "";
    const details: Record<string, unknown>[] = [];
    const calls: { id: string; name: string; arguments: string }[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as (OpenAI.Chat.ChatCompletionChunk.Choice.Delta & { reasoning?: string; reasoning_details?: Record<string, unknown>[] }) | undefined;
      reasoningText += delta?.reasoning ?? "";
      for (const piece of delta?.reasoning_details ?? []) {
        const existing = details.find((detail) => detail["index"] === piece["index"] && detail["type"] === piece["type"]);
        if (existing === undefined) details.push({ ...piece });
        else for (const [field, value] of Object.entries(piece)) existing[field] = field === "text" ? `${existing["text"] as string}${value as string}` : value;
      }
      for (const toolCall of delta?.tool_calls ?? []) {
        const call = (calls[toolCall.index] ??= { id: "", name: "", arguments: "" });
        call.id += toolCall.id ?? "";
        call.name += toolCall.function?.name ?? "";
        call.arguments += toolCall.function?.arguments ?? "";
      }
      usage = chunk.usage ?? usage;
    }
    expect(reasoningText).toBe("**Weather lookup**");
    expect(usage).toMatchObject({ completion_tokens: 31, completion_tokens_details: { reasoning_tokens: 25 } });
    const callId = calls[0]!.id;
    expect(details).toEqual([
      { type: "reasoning.text", text: "**Weather lookup**", format: "google-gemini-v1", index: 0 },
      { type: "reasoning.encrypted", data: "CiQB0e2Kb7ZxP4dYc3rJmQ0k", id: callId, format: "google-gemini-v1", index: 1 },
    ]);
    expect(gemini.requests.at(-1)!.body["generationConfig"]).toMatchObject({ thinkingConfig: { includeThoughts: true, thinkingBudget: 3_200 } });

    const second = await client.chat.completions.create({
      model: "test/gemini-thinking",
      tools,
      reasoning: { effort: "high" },
      messages: [
        ...question,
        { role: "assistant", content: null, tool_calls: calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })), reasoning_details: details },
        { role: "tool", tool_call_id: callId, content: "18°C" },
      ],
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(second.choices[0]?.message.content).toBe("18°C in Paris.");
    expect((gemini.requests.at(-1)!.body["contents"] as unknown[])[1]).toEqual({
      role: "model",
      parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "CiQB0e2Kb7ZxP4dYc3rJmQ0k" }],
    });
  });
});
