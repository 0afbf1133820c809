import OpenAI from "openai";
import { chatChunkSchema, chatResponseSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/**
 * What an OpenAI upstream returns beyond text reaches the client (issue 11): token log probabilities and
 * a model's refusal, whole and streamed, through the official openai SDK.
 */
describe("OpenAI fields carried end to end (issue 11)", () => {
  let stack: TestStack;
  let client: OpenAI;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key } = await stack.createFundedKey("10.00"));
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("returns the provider's token log probabilities when the client asks for them", async () => {
    stack.primary.addRule("count with logprobs", { chunks: ["one", " two", " three"] });
    const messages = [{ role: "user" as const, content: "count with logprobs" }];

    const completion = await client.chat.completions.create({ model: "test/echo", messages, logprobs: true });
    expect(chatResponseSchema.parse(completion)).toBeTruthy();
    const logprobs = completion.choices[0]?.logprobs;
    expect(logprobs?.refusal).toBeNull();
    expect(logprobs?.content?.map((token) => token.token)).toEqual(["one", " two", " three"]);
    expect(logprobs?.content?.[1]).toEqual({ token: " two", logprob: -0.25, bytes: [32, 116, 119, 111], top_logprobs: [] });

    const stream = await client.chat.completions.create({ model: "test/echo", messages, logprobs: true, stream: true });
    const streamedTokens: string[] = [];
    let text = "";
    for await (const chunk of stream) {
      expect(chatChunkSchema.safeParse(chunk).success).toBe(true);
      text += chunk.choices[0]?.delta.content ?? "";
      streamedTokens.push(...(chunk.choices[0]?.logprobs?.content ?? []).map((token) => token.token));
    }
    expect(text).toBe("one two three");
    expect(streamedTokens).toEqual(["one", " two", " three"]);

    const without = await client.chat.completions.create({ model: "test/echo", messages });
    expect(without.choices[0]?.logprobs).toBeNull();
  });

  it("returns a refusal as message.refusal with null content, and streams it as delta.refusal", async () => {
    stack.primary.addRule("please refuse", { refusal: "I can't help with that." });
    const messages = [{ role: "user" as const, content: "please refuse" }];

    const completion = await client.chat.completions.create({ model: "test/echo", messages });
    expect(chatResponseSchema.parse(completion)).toBeTruthy();
    expect(completion.choices[0]?.message).toMatchObject({ content: null, refusal: "I can't help with that." });

    const stream = await client.chat.completions.create({ model: "test/echo", messages, stream: true });
    let refusal = "";
    let content = "";
    for await (const chunk of stream) {
      expect(chatChunkSchema.safeParse(chunk).success).toBe(true);
      const delta = chunk.choices[0]?.delta as { refusal?: string | null; content?: string | null } | undefined;
      refusal += delta?.refusal ?? "";
      content += delta?.content ?? "";
    }
    expect(refusal).toBe("I can't help with that.");
    expect(content).toBe("");
  });

  it("answers normally when a parameter is not sent upstream, and the provider never sees it", async () => {
    stack.primary.addRule("dropped parameter", { text: "fine" });
    const body = { model: "test/echo", messages: [{ role: "user", content: "dropped parameter" }], top_k: 40, some_future_parameter: "x" };
    for (const stream of [false, true]) {
      const response = await fetch(`${stack.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ ...body, stream }),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("fine");
      const seen = stack.primary.requests.at(-1)!.body;
      expect(seen).not.toHaveProperty("top_k");
      expect(seen).not.toHaveProperty("some_future_parameter");
      // The generation record names them in its attempt, without their values.
      const generationId = response.headers.get("x-generation-id")!;
      const row = await waitFor(
        () => stack.database.database.selectFrom("generations").select("attempts").where("id", "=", generationId).executeTakeFirst(),
        5_000,
        "generation row",
      );
      expect(row.attempts).toEqual([expect.objectContaining({ status: 200, droppedParameters: ["top_k", "some_future_parameter"] })]);
    }
  });
});
