import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { chatResponseSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "../fake-upstream/fake-upstream.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * Issue 11: a new OpenAI-compatible vendor is a catalog entry and no code, its quirks included. The vendor
 * is added at run time through the admin catalog API (the same document a catalog file would hold) and
 * answers through the official openai SDK; the fake upstream records what the vendor received.
 */
describe("a new OpenAI-compatible vendor added as a catalog entry (issue 11)", () => {
  let stack: TestStack;
  let vendor: FakeUpstream;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack();
    vendor = await startFakeUpstream();
    const provider = await stack.admin("PUT", "/admin/providers/acme", {
      id: "acme",
      name: "Acme AI",
      api: "openai",
      base_url: vendor.url,
      // A variable the router and connector already have: usable at once (README, "The catalog").
      api_key_env: "PRIMARY_API_KEY",
      quirks: { output_cap_parameter: "max_completion_tokens", stream_usage: false, drop_parameters: ["logit_bias"], extra_parameters: ["top_k"] },
      data_policy: { training: false, retains_prompts: false, retention_days: 0, zdr: true },
    });
    expect(provider.status, JSON.stringify(provider.body)).toBe(201);
    const model = await stack.admin("PUT", "/admin/models/acme/chat-1", {
      id: "acme/chat-1",
      name: "Acme: Chat 1",
      context_length: 32768,
      endpoints: [{ provider: "acme", upstream_model: "acme-chat-1", pricing: { prompt: "0.000001", completion: "0.000002" }, supported_parameters: ["max_tokens", "top_k"] }],
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
    const { key } = await stack.createFundedKey("10.00");
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    for (const started = Date.now(); ; await sleep(20)) {
      const response = await fetch(`${stack.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
      if (JSON.stringify(await response.json()).includes("acme/chat-1")) break;
      if (Date.now() - started > 5_000) throw new Error("acme/chat-1 never appeared");
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await vendor?.close();
  });

  it("answers through the new vendor, with its key, its upstream model and its quirks applied", async () => {
    vendor.setScript({ text: "Hello from Acme.", usage: { prompt_tokens: 12, completion_tokens: 4 } });
    // top_k is not in the SDK's types: OpenRouter's extension, sent as the client wrote it.
    const completion = await client.chat.completions.create({
      model: "acme/chat-1",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 20,
      logit_bias: { "50256": -100 },
      top_k: 40,
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(chatResponseSchema.parse(completion)).toBeTruthy();
    expect(completion.model).toBe("acme/chat-1");
    expect((completion as unknown as { provider: string }).provider).toBe("Acme AI");
    expect(completion.choices[0]?.message.content).toBe("Hello from Acme.");
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4 });

    const sent = vendor.requests.at(-1)!;
    expect(sent.headers.authorization).toBe("Bearer sk-primary-test");
    expect(sent.body).toMatchObject({ model: "acme-chat-1", max_completion_tokens: 20, top_k: 40, stream: false });
    expect(sent.body).not.toHaveProperty("max_tokens");
    expect(sent.body).not.toHaveProperty("logit_bias");
  });

  it("streams through the new vendor without stream_options, which the catalog says it refuses", async () => {
    vendor.setScript({ text: "Streaming from Acme." });
    const stream = await client.chat.completions.create({ model: "acme/chat-1", messages: [{ role: "user", content: "Hi" }], max_tokens: 20, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Streaming from Acme.");
    const sent = vendor.requests.at(-1)!;
    expect(sent.body).toMatchObject({ model: "acme-chat-1", stream: true, max_completion_tokens: 20 });
    expect(sent.body).not.toHaveProperty("stream_options");
  });
});
