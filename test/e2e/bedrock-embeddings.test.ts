import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { computeCostMicros, parseUsdPerTokenToPicos } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeBedrockTokenCount, startFakeBedrockUpstream, type FakeBedrockUpstream } from "../fake-upstream/fake-bedrock-upstream.js";
import { fakeEmbedding } from "../fake-upstream/fake-embedding.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/** AWS's documented example key pair, which the fake takes as its account (as in bedrock-provider.test.ts). */
const account = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

const prices = { titan: "0.00000002", cohere: "0.0000001" };
const inputUsage = (promptTokens: number) => ({ promptTokens, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
const priceOf = (prompt: string) => ({ promptPicosPerToken: parseUsdPerTokenToPicos(prompt).toString(), completionPicosPerToken: "0" });

/**
 * Issue 11: POST /api/v1/embeddings on Bedrock endpoints, through the whole stack with the openai SDK,
 * against a fake Bedrock Runtime that checks every InvokeModel request's SigV4 signature: Amazon Titan
 * Text Embeddings V2 (one text, dimensions, token count in the body) and Cohere Embed v3 (a batch,
 * `input_type`), charged at the endpoint's price.
 */
describe("Bedrock embeddings end to end (issue 11)", () => {
  let stack: TestStack;
  let bedrock: FakeBedrockUpstream;
  let client: OpenAI;
  let key: string;

  beforeAll(async () => {
    bedrock = await startFakeBedrockUpstream({ region: "eu-west-3", ...account });
    stack = await startStack({ providerKeys: { AWS_BEDROCK_API_KEY: bedrock.credential } });
    const catalog = await readFile(stack.catalogPath, "utf8");
    await writeFile(
      stack.catalogPath,
      catalog.replace(
        "providers:\n",
        `providers:
  - { id: aws, name: Amazon Bedrock, api: bedrock, base_url: "${bedrock.url}", region: eu-west-3, api_key_env: AWS_BEDROCK_API_KEY, data_policy: { training: false, retains_prompts: false, retention_days: 0, zdr: true } }
`,
      ) +
        `  - id: test/titan-embed
    name: "Test: Titan Text Embeddings V2"
    context_length: 8192
    output_modalities: [embeddings]
    endpoints:
      - { provider: aws, upstream_model: "amazon.titan-embed-text-v2:0", pricing: { prompt: "${prices.titan}", completion: "0" }, supported_parameters: [dimensions] }
  - id: test/cohere-embed
    name: "Test: Cohere Embed English v3"
    context_length: 512
    output_modalities: [embeddings]
    endpoints:
      - { provider: aws, upstream_model: "cohere.embed-english-v3", pricing: { prompt: "${prices.cohere}", completion: "0" } }
`,
    );
    await stack.restartRouter();
    ({ key } = await stack.createFundedKey("10.00"));
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    // The new snapshot reaches ingress asynchronously.
    for (const started = Date.now(); ; await sleep(20)) {
      const response = await fetch(`${stack.baseUrl}/embeddings/models`);
      if (JSON.stringify(await response.json()).includes("test/cohere-embed")) break;
      if (Date.now() - started > 5_000) throw new Error("the Bedrock embedding models never appeared");
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await bedrock?.close();
  });

  async function ledgerChargeOf(generationId: string): Promise<number> {
    const entry = await waitFor(
      () => stack.database.database.selectFrom("ledger_entries").select("amount_micros").where("generation_id", "=", generationId).where("kind", "=", "charge").executeTakeFirst(),
      5_000,
      "the generation's charge",
    );
    return -entry.amount_micros;
  }

  async function generationRow(generationId: string) {
    return waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", generationId).executeTakeFirst(), 5_000, "generation row");
  }

  it("embeds a text with Titan in the dimensions asked for, charging Titan's token count at the endpoint's price", async () => {
    const input = "embed this sentence on titan";
    // The SDK's default base64 encoding: ingress encodes the float vector, the SDK decodes it.
    const response = await client.embeddings.create({ model: "test/titan-embed", input, dimensions: 256 });
    expect(response.data.map((item) => item.embedding)).toEqual([fakeEmbedding(input, 256)]);
    expect(response.model).toBe("test/titan-embed");
    const tokens = fakeBedrockTokenCount(input);
    const expectedMicros = computeCostMicros(inputUsage(tokens), priceOf(prices.titan));
    expect(response.usage).toMatchObject({ prompt_tokens: tokens, total_tokens: tokens, cost: expectedMicros / 1e6 });

    const sent = bedrock.requests.at(-1)!;
    expect(sent).toMatchObject({ modelId: "amazon.titan-embed-text-v2:0", operation: "invoke", url: "/model/amazon.titan-embed-text-v2%3A0/invoke" });
    expect(sent.body).toEqual({ inputText: input, dimensions: 256 });
    expect(sent.signature).toMatchObject({ accessKeyId: account.accessKeyId, region: "eu-west-3", service: "bedrock" });
    expect(sent.refusedAs).toBeUndefined();

    const id = (response as unknown as { id: string }).id;
    expect(await ledgerChargeOf(id)).toBe(expectedMicros);
    expect(await generationRow(id)).toMatchObject({ status: "success", model: "test/titan-embed", provider_id: "aws", tokens_prompt: tokens, cost_micros: expectedMicros, usage_estimated: false });
    // OpenRouter's generation record names the API that produced it.
    const record = await waitFor(
      async () => {
        const lookup = await fetch(`${stack.baseUrl}/generation?id=${id}`, { headers: { authorization: `Bearer ${key}` } });
        return lookup.status === 200 ? ((await lookup.json()) as { data: { api_type: string; provider_name: string } }) : undefined;
      },
      5_000,
      "the generation record",
    );
    expect(record.data).toMatchObject({ api_type: "embeddings", provider_name: "Amazon Bedrock" });
  });

  it("embeds a batch with Cohere in one call, as search documents, each vector in its input's place", async () => {
    const inputs = ["the first document", "a second, longer document to embed"];
    const response = await client.embeddings.create({ model: "test/cohere-embed", input: inputs, encoding_format: "float" });
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(response.data.map((item) => item.embedding)).toEqual(inputs.map((input) => fakeEmbedding(input, 1024)));
    expect((response as unknown as { provider: string }).provider).toBe("Amazon Bedrock");

    const sent = bedrock.requests.at(-1)!;
    expect(sent).toMatchObject({ modelId: "cohere.embed-english-v3", operation: "invoke" });
    expect(sent.body).toEqual({ texts: inputs, input_type: "search_document" });
    expect(sent.refusedAs).toBeUndefined();

    // Cohere's body carries no token count, so the charge follows the usage ingress reports.
    const id = (response as unknown as { id: string }).id;
    const charged = await ledgerChargeOf(id);
    expect(charged).toBeGreaterThan(0);
    expect((response.usage as unknown as { cost: number }).cost).toBe(charged / 1e6);
    expect(await generationRow(id)).toMatchObject({ status: "success", model: "test/cohere-embed", provider_id: "aws", cost_micros: charged });
  });

  it("refuses several inputs for Titan, which embeds one text per call, with a 400 naming input and no charge", async () => {
    const refused = await client.embeddings.create({ model: "test/titan-embed", input: ["one", "two"] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    const error = refused as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toContain("one text per request");
  });

  it("answers Bedrock's refusal of a request with the provider's message in OpenRouter's error shape", async () => {
    bedrock.setScript({ status: 429 });
    const refused = await client.embeddings.create({ model: "test/cohere-embed", input: "throttled" }).catch((error: unknown) => error);
    bedrock.setScript({});
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    const error = refused as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(429);
    expect(error.error).toMatchObject({ metadata: { provider_name: "Amazon Bedrock", raw: "Scripted HTTP 429", retryable: true } });
  });
});
