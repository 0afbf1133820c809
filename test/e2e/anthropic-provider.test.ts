import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropicUpstream, type FakeAnthropicUpstream } from "../fake-upstream/fake-anthropic-upstream.js";
import { addToCatalog } from "../support/add-to-catalog.js";
import { completeStreamed } from "../support/complete-streamed.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * What only an endpoint with `api: anthropic` does through the whole stack (issue 11): cache-write tokens,
 * the 529 overloaded answer, anthropic-version's temperature range, system messages the Messages API cannot
 * take. The tool-calling conversation it shares with every provider kind is in
 * cross-provider-tool-conversation.test.ts.
 */
describe("an Anthropic endpoint end to end (issue 11)", () => {
  let stack: TestStack;
  let anthropic: FakeAnthropicUpstream;
  let client: OpenAI;

  const question: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Weather in Paris?" },
  ];

  beforeAll(async () => {
    stack = await startStack();
    anthropic = await startFakeAnthropicUpstream();
    ({ client } = await addToCatalog(stack, {
      providers: [{ id: "claude", name: "Claude Co", api: "anthropic", base_url: anthropic.url, api_key_env: "PRIMARY_API_KEY", data_policy: { training: false, retains_prompts: false, zdr: true } }],
      models: [
        {
          id: "test/claude",
          name: "Test: Claude",
          context_length: 200000,
          endpoints: [
            {
              provider: "claude",
              upstream_model: "claude-test-1",
              pricing: { prompt: "0.000003", completion: "0.000015" },
              max_completion_tokens: 2000,
              supported_parameters: ["temperature", "top_p", "top_k", "stop", "tools", "tool_choice", "parallel_tool_calls", "max_tokens"],
            },
          ],
        },
      ],
    }));
  });

  afterAll(async () => {
    await stack?.stop();
    await anthropic?.close();
  });

  it("counts cache writes into the prompt tokens and reports them apart, whole and streamed", async () => {
    anthropic.setScript({ text: "Cached.", usage: { input_tokens: 30, cache_creation_input_tokens: 100, output_tokens: 12 } });
    const whole = await client.chat.completions.create({ model: "test/claude", messages: question });
    const streamed = await completeStreamed(client, { model: "test/claude", messages: question });
    // prompt = input + cache write (+ cache read, none here).
    const expected = { prompt_tokens: 130, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100 } };
    expect({ whole: whole.usage, streamed: streamed.usage }).toMatchObject({ whole: expected, streamed: expected });
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
