import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBedrockUpstream, type FakeBedrockUpstream } from "../fake-upstream/fake-bedrock-upstream.js";
import { addToCatalog } from "../support/add-to-catalog.js";
import { completeStreamed } from "../support/complete-streamed.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/** AWS's documented example key pair (https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html), which the fake takes as its account. */
const account = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

/**
 * What only an endpoint with `api: bedrock` does through the whole stack (issue 11), against a fake Bedrock
 * Runtime on 127.0.0.1 that checks every request's SigV4 signature: cache-write tokens, and signing for the
 * catalog's region (the fake's address names none). The tool-calling conversation it shares with every
 * provider kind is in cross-provider-tool-conversation.test.ts.
 */
describe("a Bedrock endpoint end to end (issue 11)", () => {
  let stack: TestStack;
  let bedrock: FakeBedrockUpstream;
  let client: OpenAI;

  const question: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Weather in Paris?" },
  ];

  beforeAll(async () => {
    bedrock = await startFakeBedrockUpstream({ region: "eu-west-3", ...account });
    stack = await startStack({ providerKeys: { AWS_BEDROCK_API_KEY: bedrock.credential } });
    const provider = (id: string, name: string, region: string) => ({
      id,
      name,
      api: "bedrock",
      base_url: bedrock.url,
      region,
      api_key_env: "AWS_BEDROCK_API_KEY",
      data_policy: { training: false, retains_prompts: false, retention_days: 0, zdr: true },
    });
    const model = (id: string, name: string, providerId: string) => ({
      id,
      name,
      context_length: 200000,
      endpoints: [
        {
          provider: providerId,
          upstream_model: "anthropic.claude-3-5-haiku-20241022-v1:0",
          pricing: { prompt: "0.0000008", completion: "0.000004" },
          max_completion_tokens: 2000,
          supported_parameters: ["temperature", "top_p", "stop", "tools", "tool_choice", "max_tokens"],
        },
      ],
    });
    ({ client } = await addToCatalog(stack, {
      providers: [provider("aws", "Amazon Bedrock", "eu-west-3"), provider("aws-elsewhere", "Bedrock Elsewhere", "us-west-2")],
      models: [model("test/bedrock", "Test: Bedrock", "aws"), model("test/bedrock-elsewhere", "Test: Bedrock in another region", "aws-elsewhere")],
    }));
  });

  afterAll(async () => {
    await stack?.stop();
    await bedrock?.close();
  });

  it("counts cache writes into the prompt tokens and reports them apart, whole and streamed", async () => {
    bedrock.setScript({ text: "Cached.", usage: { inputTokens: 30, cacheWriteInputTokens: 100, outputTokens: 12 } });
    const whole = await client.chat.completions.create({ model: "test/bedrock", messages: question });
    const streamed = await completeStreamed(client, { model: "test/bedrock", messages: question });
    // prompt = input + cache write (+ cache read, none here), as with Anthropic.
    const expected = { prompt_tokens: 130, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100 } };
    expect({ whole: whole.usage, streamed: streamed.usage }).toMatchObject({ whole: expected, streamed: expected });
  });

  it("answers a replayed tool conversation with no tool to call (no tools, or tool_choice none): Converse needs a toolConfig, so an inert placeholder is the one tool declared", async () => {
    const replayed: OpenAI.Chat.ChatCompletionMessageParam[] = [
      ...question,
      { role: "assistant", content: null, tool_calls: [{ id: "tooluse_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "tooluse_1", content: "18°C" },
    ];
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    bedrock.setScript({ text: "It is 18°C in Paris." });
    for (const extra of [{}, { tools, tool_choice: "none" as const }]) {
      const whole = await client.chat.completions.create({ model: "test/bedrock", messages: replayed, ...extra });
      const streamed = await completeStreamed(client, { model: "test/bedrock", messages: replayed, ...extra });
      for (const completion of [whole, streamed]) {
        expect(completion.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "It is 18°C in Paris." } });
        expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([]);
      }
      const sent = bedrock.requests.slice(-2).map((request) => ({ refusedAs: request.refusedAs, toolNames: (request.body["toolConfig"] as { tools: { toolSpec: { name: string } }[] }).tools.map((tool) => tool.toolSpec.name) }));
      expect(sent).toEqual([
        { refusedAs: undefined, toolNames: ["switchboard_no_tool"] },
        { refusedAs: undefined, toolNames: ["switchboard_no_tool"] },
      ]);
    }
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
