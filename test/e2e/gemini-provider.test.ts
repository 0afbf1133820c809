import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGeminiUpstream, type FakeGeminiUpstream } from "../fake-upstream/fake-gemini-upstream.js";
import { addToCatalog } from "../support/add-to-catalog.js";
import { completeStreamed } from "../support/complete-streamed.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * What only an endpoint with `api: gemini` does through the whole stack (issue 11): thinking tokens and
 * cached tokens in its usageMetadata. The tool-calling conversation it shares with every provider kind is
 * in cross-provider-tool-conversation.test.ts.
 */
describe("a Gemini endpoint end to end (issue 11)", () => {
  let stack: TestStack;
  let gemini: FakeGeminiUpstream;
  let client: OpenAI;

  const question: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];

  beforeAll(async () => {
    stack = await startStack();
    gemini = await startFakeGeminiUpstream();
    ({ client } = await addToCatalog(stack, {
      providers: [
        {
          id: "google",
          name: "Google AI Studio",
          api: "gemini",
          base_url: gemini.url,
          api_key_env: "PRIMARY_API_KEY",
          data_policy: { training: false, retains_prompts: true, retention_days: 55, zdr: false },
        },
      ],
      models: [
        {
          id: "test/gemini",
          name: "Test: Gemini",
          context_length: 1000000,
          endpoints: [{ provider: "google", upstream_model: "gemini-test-1", pricing: { prompt: "0.0000003", completion: "0.0000025" }, max_completion_tokens: 4000 }],
        },
      ],
    }));
  });

  afterAll(async () => {
    await stack?.stop();
    await gemini?.close();
  });

  it("counts thinking tokens inside the completion tokens, as reasoning, and cached tokens inside the prompt tokens, whole and streamed", async () => {
    gemini.setScript({ text: "It is 18°C in Paris.", usage: { promptTokenCount: 50, candidatesTokenCount: 8, thoughtsTokenCount: 20, cachedContentTokenCount: 30 } });
    const whole = await client.chat.completions.create({ model: "test/gemini", messages: question });
    // Gemini streams running usage totals: the last one counts.
    const streamed = await completeStreamed(client, { model: "test/gemini", messages: question });
    const expected = { prompt_tokens: 50, completion_tokens: 28, prompt_tokens_details: { cached_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 20 } };
    expect({ whole: whole.usage, streamed: streamed.usage }).toMatchObject({ whole: expected, streamed: expected });
  });
});
