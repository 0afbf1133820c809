import { OpenRouter } from "@openrouter/sdk";
import type { ChatResult, ChatStreamChunk } from "@openrouter/sdk/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";

/** OpenRouter's own SDK validates every response and chunk against OpenRouter's schemas (zod). */
describe("@openrouter/sdk against Switchboard", () => {
  let stack: TestStack;
  let client: OpenRouter;

  beforeAll(async () => {
    stack = await startStack();
    const { key } = await stack.createFundedKey("1.00");
    // No retries: a response the SDK rejects must fail the test, not be retried into a timeout.
    client = new OpenRouter({ apiKey: key, serverURL: stack.baseUrl, retryConfig: { strategy: "none" } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("lists models", async () => {
    const models = await client.models.list();
    expect(models.result.data.map((model) => model.id)).toEqual(["test/echo"]);
    expect(models.result.totalCount).toBe(1);
  });

  it("gets a completion and a stream with the same text", async () => {
    stack.primary.addRule("strict client", { text: "validated by zod" });
    const messages = [{ role: "user" as const, content: "strict client" }];
    const completion = (await client.chat.send({ chatRequest: { model: "test/echo", messages } })) as ChatResult;
    expect(completion.id).toMatch(/^gen-/);
    expect(completion.choices[0]?.message.content).toBe("validated by zod");

    const stream = (await client.chat.send({ chatRequest: { model: "test/echo", messages, stream: true } })) as AsyncIterable<ChatStreamChunk>;
    let text = "";
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe("validated by zod");
    expect(sawUsage).toBe(true);
  });
});
