import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { chatChunkSchema, chatResponseSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBedrockUpstream, type FakeBedrockUpstream } from "../fake-upstream/fake-bedrock-upstream.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/** AWS's documented example key pair (https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html), which the fake takes as its account. */
const account = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

/**
 * An endpoint with `api: bedrock` served through the whole stack by the Converse adapter (issue 11): the
 * tool-calling conversation of the Anthropic and Gemini tests, through the official openai SDK, against a
 * fake Bedrock Runtime on 127.0.0.1 that checks every request's SigV4 signature. Its address names no
 * region, so the catalog's `region` says which one to sign for.
 */
describe("a Bedrock endpoint end to end (issue 11)", () => {
  let stack: TestStack;
  let bedrock: FakeBedrockUpstream;
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
  const upstreamModel = "anthropic.claude-3-5-haiku-20241022-v1:0";

  beforeAll(async () => {
    bedrock = await startFakeBedrockUpstream({ region: "eu-west-3", ...account });
    stack = await startStack({ providerKeys: { AWS_BEDROCK_API_KEY: bedrock.credential } });
    const catalog = await readFile(stack.catalogPath, "utf8");
    const dataPolicy = "data_policy: { training: false, retains_prompts: false, retention_days: 0, zdr: true }";
    const endpoint = `upstream_model: "${upstreamModel}", pricing: { prompt: "0.0000008", completion: "0.000004" }, max_completion_tokens: 2000, supported_parameters: [temperature, top_p, stop, tools, tool_choice, max_tokens]`;
    await writeFile(
      stack.catalogPath,
      catalog.replace(
        "providers:\n",
        `providers:
  - { id: aws, name: Amazon Bedrock, api: bedrock, base_url: "${bedrock.url}", region: eu-west-3, api_key_env: AWS_BEDROCK_API_KEY, ${dataPolicy} }
  - { id: aws-elsewhere, name: Bedrock Elsewhere, api: bedrock, base_url: "${bedrock.url}", region: us-west-2, api_key_env: AWS_BEDROCK_API_KEY, ${dataPolicy} }
`,
      ) +
        `  - id: test/bedrock
    name: "Test: Bedrock"
    context_length: 200000
    endpoints:
      - { provider: aws, ${endpoint} }
  - id: test/bedrock-elsewhere
    name: "Test: Bedrock in another region"
    context_length: 200000
    endpoints:
      - { provider: aws-elsewhere, ${endpoint} }
`,
    );
    await stack.restartRouter();
    const { key } = await stack.createFundedKey("10.00");
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    // The new snapshot reaches ingress asynchronously.
    for (const started = Date.now(); ; await sleep(20)) {
      const response = await fetch(`${stack.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
      if (JSON.stringify(await response.json()).includes("test/bedrock-elsewhere")) break;
      if (Date.now() - started > 5_000) throw new Error("test/bedrock never appeared");
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await bedrock?.close();
  });

  /** Calls get_weather first; answers once the tool result is in the conversation. */
  function scriptConversation(): void {
    bedrock.setScript((body) => {
      const messages = body["messages"] as { content: Record<string, unknown>[] }[];
      const hasToolResult = messages.some((message) => message.content.some((block) => block["toolResult"] !== undefined));
      return hasToolResult
        ? { text: "It is 18°C in Paris.", usage: { inputTokens: 40, cacheReadInputTokens: 100, outputTokens: 9 } }
        : { toolUses: [{ toolUseId: "tooluse_paris", name: "get_weather", input: { city: "Paris" } }], usage: { inputTokens: 30, cacheWriteInputTokens: 100, outputTokens: 12 } };
    });
  }

  it("runs a tool-calling conversation, whole answers, with Bedrock's usage in OpenAI terms", async () => {
    scriptConversation();
    const first = await client.chat.completions.create({ model: "test/bedrock", messages: question, tools });
    expect(chatResponseSchema.parse(first)).toBeTruthy();
    expect((first as unknown as { provider: string }).provider).toBe("Amazon Bedrock");
    expect(first.model).toBe("test/bedrock");
    expect(first.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      native_finish_reason: "tool_use",
      message: { content: null, tool_calls: [{ id: "tooluse_paris", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
    });
    // prompt = input + cache write (+ cache read, none here), as with Anthropic.
    expect(first.usage).toMatchObject({ prompt_tokens: 130, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } });

    const sent = bedrock.requests.at(-1)!;
    expect(sent.url).toBe("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse");
    expect(sent.refusedAs).toBeUndefined();
    expect(sent.body).toMatchObject({
      system: [{ text: "You are terse." }],
      messages: [{ role: "user", content: [{ text: "Weather in Paris?" }] }],
      inferenceConfig: { maxTokens: 2000 },
      toolConfig: { tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object" } } } }] },
    });

    const second = await client.chat.completions.create({
      model: "test/bedrock",
      tools,
      messages: [...question, first.choices[0]!.message, { role: "tool", tool_call_id: "tooluse_paris", content: "18°C" }],
    });
    expect(second.choices[0]).toMatchObject({ finish_reason: "stop", native_finish_reason: "end_turn", message: { content: "It is 18°C in Paris." } });
    expect(second.usage).toMatchObject({ prompt_tokens: 140, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 100 } });
    expect(bedrock.requests.at(-1)!.body["messages"]).toEqual([
      { role: "user", content: [{ text: "Weather in Paris?" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "tooluse_paris", name: "get_weather", input: { city: "Paris" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "tooluse_paris", content: [{ text: "18°C" }] } }] },
    ]);
  });

  it("streams the same conversation with the same tool call, text and usage", async () => {
    scriptConversation();
    const stream = await client.chat.completions.create({ model: "test/bedrock", messages: question, tools, stream: true });
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
    expect(call).toEqual({ id: "tooluse_paris", name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(finishReason).toBe("tool_calls");
    expect(usage).toMatchObject({ prompt_tokens: 130, completion_tokens: 12 });
    const sent = bedrock.requests.at(-1)!;
    expect(sent.url).toBe("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream");
    expect(sent.headers["accept"]).toBe("application/vnd.amazon.eventstream");
    expect(sent.refusedAs).toBeUndefined();

    const answer = await client.chat.completions.create({
      model: "test/bedrock",
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

  it("signs for the catalog's region, not one read from base_url, and Bedrock refuses a signature for another region", async () => {
    bedrock.setScript({ text: "Hello." });
    await client.chat.completions.create({ model: "test/bedrock", messages: question });
    expect(bedrock.requests.at(-1)).toMatchObject({
      signature: { accessKeyId: account.accessKeyId, region: "eu-west-3", service: "bedrock", signedHeaders: expect.arrayContaining(["host", "x-amz-date"]) },
    });
    expect(bedrock.requests.at(-1)!.refusedAs).toBeUndefined();

    // The same fake, listed under a provider whose catalog region is us-west-2: the signature follows the catalog.
    const refused = await client.chat.completions.create({ model: "test/bedrock-elsewhere", messages: question }).catch((error: unknown) => error);
    expect(bedrock.requests.at(-1)).toMatchObject({ signature: { region: "us-west-2", service: "bedrock" }, refusedAs: "InvalidSignatureException" });
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    const error = refused as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.message).toContain("rejected Switchboard's provider key (HTTP 403)");
    // Bedrock's own words travel with it (issue 11), and no part of the AWS credentials does.
    expect(error.error).toMatchObject({ metadata: { provider_name: "Bedrock Elsewhere", raw: "Credential should be scoped to a valid region, not 'us-west-2'.", retryable: false } });
    expect(JSON.stringify(error.error)).not.toContain(account.accessKeyId);
    expect(JSON.stringify(error.error)).not.toContain(account.secretAccessKey);
  });
});
