import type OpenAI from "openai";
import { chatResponseSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from "../fake-upstream/fake-anthropic-upstream.js";
import { startFakeBedrockUpstream, type FakeBedrockUpstream } from "../fake-upstream/fake-bedrock-upstream.js";
import { startFakeGeminiUpstream, type FakeGeminiUpstream } from "../fake-upstream/fake-gemini-upstream.js";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream/fake-upstream.js";
import { addToCatalog } from "../support/add-to-catalog.js";
import { completeStreamed } from "../support/complete-streamed.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/** AWS's documented example key pair (https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html), which the Bedrock fake takes as its account. */
const awsAccount = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

const tools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: "function",
    function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
  },
];
const question: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Weather in Paris?" },
];

/** The same prices on every endpoint, so that equal token counts cost the same. */
const pricing = { prompt: "0.000003", completion: "0.000015" };
const maxCompletionTokens = 2000;
const dataPolicy = { training: false, retains_prompts: false, zdr: true };

/**
 * What a client sees of the whole conversation, leaving out what differs by design: the provider's name,
 * the response's model id, the native finish reasons and the tool call's id (each provider mints its own).
 */
function conversationOutcome(call: OpenAI.Chat.ChatCompletion, answer: OpenAI.Chat.ChatCompletion) {
  const turn = (completion: OpenAI.Chat.ChatCompletion) => ({
    finish_reason: completion.choices[0]?.finish_reason,
    content: completion.choices[0]?.message.content,
    tool_calls: completion.choices[0]?.message.tool_calls?.map((toolCall) => {
      const { type, function: called } = toolCall as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
      return { type, function: called };
    }),
    usage: completion.usage,
  });
  return { call: turn(call), answer: turn(answer) };
}

/** The fields OpenRouter adds to the SDK's completion that differ by provider. */
function servedBy(completion: OpenAI.Chat.ChatCompletion) {
  const added = completion as OpenAI.Chat.ChatCompletion & { provider?: string; choices: { native_finish_reason?: string | null }[] };
  return { provider: added.provider, model: completion.model, nativeFinishReason: added.choices[0]?.native_finish_reason };
}

/** Token counts every provider below is scripted to report, each in its own fields. */
const callTokens = { prompt: 30, completion: 12 };
const answerTokens = { prompt: 140, cachedPrompt: 100, completion: 9 };

/** The acceptance point of issue 11, stated once: this, from every provider kind, whole and streamed. */
const expectedOutcome = {
  call: {
    finish_reason: "tool_calls",
    content: null,
    tool_calls: [{ type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
    usage: {
      prompt_tokens: 30,
      completion_tokens: 12,
      total_tokens: 42,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
      cost: 0.00027,
      is_byok: false,
    },
  },
  answer: {
    finish_reason: "stop",
    content: "It is 18°C in Paris.",
    tool_calls: undefined,
    usage: {
      prompt_tokens: 140,
      completion_tokens: 9,
      total_tokens: 149,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
      cost: 0.000555,
      is_byok: false,
    },
  },
};

/** What a fake recorded of one request, whichever wire format it speaks. */
interface SentRequest {
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** One provider kind: how its fake is scripted in its own wire format, and what it must receive. */
interface ProviderKind {
  kind: string;
  /** The catalog model served by this provider only. */
  model: string;
  providerName: string;
  nativeFinishReasons: { call: string; answer: string };
  /** The id the client sees on the tool call: the provider's own, or one Switchboard minted. */
  toolCallId: unknown;
  /** Scripts the fake: the get_weather call first, the answer once the tool result is in the conversation. */
  scriptConversation(): void;
  lastRequest(): SentRequest;
  expectQuestionSent(request: SentRequest, streamed: boolean): void;
  /** The second turn: the call and its result translated back into the provider's shape. */
  expectToolResultSent(request: SentRequest, toolCallId: string): void;
}

/**
 * Issue 11's acceptance point through the whole stack with the official openai SDK: the same tool-calling
 * conversation (call, tool result, final answer) gives the same OpenAI-shaped result from the OpenAI,
 * Anthropic, Gemini and Bedrock fakes, whole and streamed, token usage included. One stack serves all four;
 * each fake is scripted in its own wire format to say the same thing.
 */
describe("one tool-calling conversation across every provider kind (issue 11)", () => {
  let stack: TestStack;
  let openai: FakeUpstream;
  let anthropic: FakeAnthropicUpstream;
  let gemini: FakeGeminiUpstream;
  let bedrock: FakeBedrockUpstream;
  let client: OpenAI;

  const providerKinds: ProviderKind[] = [
    {
      kind: "openai",
      model: "test/gpt",
      providerName: "OpenAI",
      nativeFinishReasons: { call: "tool_calls", answer: "stop" },
      toolCallId: "call_paris",
      scriptConversation() {
        openai.setScript((body) =>
          (body["messages"] as { role: string }[]).some((message) => message.role === "tool")
            ? { text: "It is 18°C in Paris.", usage: { prompt_tokens: answerTokens.prompt, cached_tokens: answerTokens.cachedPrompt, completion_tokens: answerTokens.completion } }
            : { toolCalls: [{ id: "call_paris", name: "get_weather", arguments: '{"city":"Paris"}' }], usage: { prompt_tokens: callTokens.prompt, completion_tokens: callTokens.completion } },
        );
      },
      lastRequest: () => openai.requests.at(-1)!,
      expectQuestionSent(request, streamed) {
        expect(request.headers["authorization"]).toBe("Bearer sk-primary-test");
        expect(request.body).toMatchObject({
          model: "gpt-test-1",
          messages: [
            { role: "system", content: "You are terse." },
            { role: "user", content: "Weather in Paris?" },
          ],
          tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
        });
        if (streamed) expect(request.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
        else expect(request.body["stream"]).toBeFalsy();
      },
      expectToolResultSent(request, toolCallId) {
        expect((request.body["messages"] as unknown[]).slice(2)).toMatchObject([
          { role: "assistant", content: null, tool_calls: [{ id: toolCallId, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
          { role: "tool", tool_call_id: toolCallId, content: "18°C" },
        ]);
      },
    },
    {
      kind: "anthropic",
      model: "test/claude",
      providerName: "Claude Co",
      nativeFinishReasons: { call: "tool_use", answer: "end_turn" },
      toolCallId: "toolu_paris",
      scriptConversation() {
        anthropic.setScript((body) =>
          (body["messages"] as { content: { type: string }[] }[]).some((message) => message.content.some((block) => block.type === "tool_result"))
            ? { text: "It is 18°C in Paris.", usage: { input_tokens: answerTokens.prompt - answerTokens.cachedPrompt, cache_read_input_tokens: answerTokens.cachedPrompt, output_tokens: answerTokens.completion } }
            : { toolCalls: [{ id: "toolu_paris", name: "get_weather", arguments: '{"city":"Paris"}' }], usage: { input_tokens: callTokens.prompt, output_tokens: callTokens.completion } },
        );
      },
      lastRequest: () => anthropic.requests.at(-1)!,
      expectQuestionSent(request, streamed) {
        expect(request.headers["x-api-key"]).toBe("sk-primary-test");
        expect(request.headers["anthropic-version"]).toBe("2023-06-01");
        expect(request.headers["authorization"]).toBeUndefined();
        // The system message is lifted into `system`; max_tokens is always sent, the endpoint's cap by default.
        expect(request.body).toMatchObject({
          model: "claude-test-1",
          max_tokens: maxCompletionTokens,
          system: [{ type: "text", text: "You are terse." }],
          messages: [{ role: "user", content: [{ type: "text", text: "Weather in Paris?" }] }],
          tools: [{ name: "get_weather", input_schema: { type: "object" } }],
        });
        expect(request.body["stream"] === true).toBe(streamed);
      },
      expectToolResultSent(request, toolCallId) {
        expect(request.body["messages"]).toEqual([
          { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
          { role: "assistant", content: [{ type: "tool_use", id: toolCallId, name: "get_weather", input: { city: "Paris" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: toolCallId, content: "18°C" }] },
        ]);
      },
    },
    {
      kind: "gemini",
      model: "test/gemini",
      providerName: "Google AI Studio",
      // Gemini says STOP also when it calls a function; the adapter infers tool_calls from the parts.
      nativeFinishReasons: { call: "STOP", answer: "STOP" },
      // Gemini sends no call ids: the adapter mints them from the response id and the call's index (unlike
      // the `call_<uuid>` the SDK's stream helper would make up for a chunk without one) and maps them back
      // to the function name.
      toolCallId: expect.stringMatching(/^call_.+_0$/),
      scriptConversation() {
        gemini.setScript((body) =>
          (body["contents"] as { parts: Record<string, unknown>[] }[]).some((content) => content.parts.some((part) => part["functionResponse"] !== undefined))
            ? { text: "It is 18°C in Paris.", usage: { promptTokenCount: answerTokens.prompt, cachedContentTokenCount: answerTokens.cachedPrompt, candidatesTokenCount: answerTokens.completion } }
            : { functionCalls: [{ name: "get_weather", args: { city: "Paris" } }], usage: { promptTokenCount: callTokens.prompt, candidatesTokenCount: callTokens.completion } },
        );
      },
      lastRequest: () => gemini.requests.at(-1)!,
      expectQuestionSent(request, streamed) {
        expect(request.url).toBe(streamed ? "/v1beta/models/gemini-test-1:streamGenerateContent?alt=sse" : "/v1beta/models/gemini-test-1:generateContent");
        expect(request.headers["x-goog-api-key"]).toBe("sk-primary-test");
        expect(request.body).toMatchObject({
          systemInstruction: { parts: [{ text: "You are terse." }] },
          contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }],
          tools: [{ functionDeclarations: [{ name: "get_weather" }] }],
          generationConfig: { maxOutputTokens: maxCompletionTokens },
        });
      },
      expectToolResultSent(request) {
        // The result goes back as a functionResponse part in a user turn, wrapped in an object, after the model's call.
        expect(request.body["contents"]).toEqual([
          { role: "user", parts: [{ text: "Weather in Paris?" }] },
          { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] },
          { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { content: "18°C" } } }] },
        ]);
      },
    },
    {
      kind: "bedrock",
      model: "test/bedrock",
      providerName: "Amazon Bedrock",
      nativeFinishReasons: { call: "tool_use", answer: "end_turn" },
      toolCallId: "tooluse_paris",
      scriptConversation() {
        bedrock.setScript((body) =>
          (body["messages"] as { content: Record<string, unknown>[] }[]).some((message) => message.content.some((block) => block["toolResult"] !== undefined))
            ? { text: "It is 18°C in Paris.", usage: { inputTokens: answerTokens.prompt - answerTokens.cachedPrompt, cacheReadInputTokens: answerTokens.cachedPrompt, outputTokens: answerTokens.completion } }
            : { toolUses: [{ toolUseId: "tooluse_paris", name: "get_weather", input: { city: "Paris" } }], usage: { inputTokens: callTokens.prompt, outputTokens: callTokens.completion } },
        );
      },
      lastRequest: () => bedrock.requests.at(-1)!,
      expectQuestionSent(request, streamed) {
        const path = `/model/${encodeURIComponent("anthropic.claude-3-5-haiku-20241022-v1:0")}`;
        expect(request.url).toBe(streamed ? `${path}/converse-stream` : `${path}/converse`);
        if (streamed) expect(request.headers["accept"]).toBe("application/vnd.amazon.eventstream");
        // The fake checked the SigV4 signature and took it.
        expect((request as { refusedAs?: string }).refusedAs).toBeUndefined();
        expect(request.body).toMatchObject({
          system: [{ text: "You are terse." }],
          messages: [{ role: "user", content: [{ text: "Weather in Paris?" }] }],
          inferenceConfig: { maxTokens: maxCompletionTokens },
          toolConfig: { tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object" } } } }] },
        });
      },
      expectToolResultSent(request, toolCallId) {
        expect(request.body["messages"]).toEqual([
          { role: "user", content: [{ text: "Weather in Paris?" }] },
          { role: "assistant", content: [{ toolUse: { toolUseId: toolCallId, name: "get_weather", input: { city: "Paris" } } }] },
          { role: "user", content: [{ toolResult: { toolUseId: toolCallId, content: [{ text: "18°C" }] } }] },
        ]);
      },
    },
  ];

  /** Each provider kind's conversation as the client saw it, by `<kind> whole` and `<kind> streamed`. */
  const outcomes: Record<string, ReturnType<typeof conversationOutcome>> = {};

  beforeAll(async () => {
    bedrock = await startFakeBedrockUpstream({ region: "eu-west-3", ...awsAccount });
    stack = await startStack({ providerKeys: { AWS_BEDROCK_API_KEY: bedrock.credential } });
    openai = await startFakeUpstream();
    anthropic = await startFakeAnthropicUpstream();
    gemini = await startFakeGeminiUpstream();
    const endpoint = (provider: string, upstreamModel: string) => ({
      provider,
      upstream_model: upstreamModel,
      pricing,
      max_completion_tokens: maxCompletionTokens,
      supported_parameters: ["tools", "tool_choice", "max_tokens", "temperature"],
    });
    const model = (id: string, provider: string, upstreamModel: string) => ({ id, name: `Test: ${id}`, context_length: 200000, endpoints: [endpoint(provider, upstreamModel)] });
    ({ client } = await addToCatalog(stack, {
      providers: [
        { id: "openai", name: "OpenAI", api: "openai", base_url: openai.url, api_key_env: "PRIMARY_API_KEY", data_policy: dataPolicy },
        { id: "claude", name: "Claude Co", api: "anthropic", base_url: anthropic.url, api_key_env: "PRIMARY_API_KEY", data_policy: dataPolicy },
        { id: "google", name: "Google AI Studio", api: "gemini", base_url: gemini.url, api_key_env: "PRIMARY_API_KEY", data_policy: dataPolicy },
        // The fake's address names no region, so the catalog's `region` says which one to sign for.
        { id: "aws", name: "Amazon Bedrock", api: "bedrock", base_url: bedrock.url, region: "eu-west-3", api_key_env: "AWS_BEDROCK_API_KEY", data_policy: dataPolicy },
      ],
      models: [
        model("test/gpt", "openai", "gpt-test-1"),
        model("test/claude", "claude", "claude-test-1"),
        model("test/gemini", "google", "gemini-test-1"),
        model("test/bedrock", "aws", "anthropic.claude-3-5-haiku-20241022-v1:0"),
      ],
    }));
  });

  afterAll(async () => {
    await stack?.stop();
    await openai?.close();
    await anthropic?.close();
    await gemini?.close();
    await bedrock?.close();
  });

  for (const provider of providerKinds) {
    it(`runs the conversation on ${provider.kind}, whole and streamed, translating the tool result into its shape`, async () => {
      provider.scriptConversation();
      for (const streamed of [false, true]) {
        const complete = async (messages: OpenAI.Chat.ChatCompletionMessageParam[]) => {
          const request = { model: provider.model, messages, tools };
          if (streamed) return completeStreamed(client, request);
          const completion = await client.chat.completions.create(request);
          chatResponseSchema.parse(completion);
          return completion;
        };
        // The provider's name and the catalog's model id, never the upstream's; the native finish reason kept.
        const served = (nativeFinishReason: string) => ({ provider: provider.providerName, model: provider.model, nativeFinishReason });
        const call = await complete(question);
        expect(servedBy(call)).toEqual(served(provider.nativeFinishReasons.call));
        provider.expectQuestionSent(provider.lastRequest(), streamed);
        const toolCall = call.choices[0]!.message.tool_calls![0]!;
        expect(toolCall.id).toEqual(provider.toolCallId);

        const answer = await complete([...question, call.choices[0]!.message, { role: "tool", tool_call_id: toolCall.id, content: "18°C" }]);
        expect(servedBy(answer)).toEqual(served(provider.nativeFinishReasons.answer));
        provider.expectToolResultSent(provider.lastRequest(), toolCall.id);
        outcomes[`${provider.kind} ${streamed ? "streamed" : "whole"}`] = conversationOutcome(call, answer);
      }
    });
  }

  // Compares what the runs above recorded (vitest runs a file's tests in order): a run that failed leaves its leg missing here too.
  it("gives the same OpenAI-shaped result from every provider kind, whole and streamed: tool call, finish reasons, final text and usage", () => {
    const legs = providerKinds.flatMap((provider) => [`${provider.kind} whole`, `${provider.kind} streamed`]);
    expect(outcomes).toEqual(Object.fromEntries(legs.map((leg) => [leg, expectedOutcome])));
  });
});
