import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import OpenAI from "openai";
import { computeCostMicros, embeddingsResponseSchema, parseUsdPerTokenToPicos, textCompletionSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeEmbedding } from "../fake-upstream/fake-embedding.js";
import { startFakeGeminiUpstream, type FakeGeminiUpstream } from "../fake-upstream/fake-gemini-upstream.js";
import { readServerSentEvents } from "../support/read-server-sent-events.js";
import type { LogCapture } from "../support/silent-logger.js";
import { startStack, testPrices, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

const embedPrices = { primary: "0.0000001", backup: "0.0000002", google: "0.00000015" };
const priceOf = (prompt: string, completion = "0") => ({
  promptPicosPerToken: parseUsdPerTokenToPicos(prompt).toString(),
  completionPicosPerToken: parseUsdPerTokenToPicos(completion).toString(),
});
const inputUsage = (promptTokens: number) => ({ promptTokens, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });

/**
 * Issue 11: POST /api/v1/embeddings (OpenAI's shape, for OpenAI-compatible and Gemini endpoints) and the
 * legacy POST /api/v1/completions served on chat, through the whole stack with the official openai SDK:
 * routing with fallback, credit, settlement at the endpoint's price (usage.cost is the ledger's charge),
 * generation records, errors in OpenRouter's shape, and no input text kept anywhere.
 */
describe("embeddings and legacy completions end to end (issue 11)", () => {
  let stack: TestStack;
  let gemini: FakeGeminiUpstream;
  let client: OpenAI;
  let key: string;
  const logs: LogCapture = { lines: [] };

  beforeAll(async () => {
    stack = await startStack({ logCapture: logs });
    gemini = await startFakeGeminiUpstream();
    const catalog = await readFile(stack.catalogPath, "utf8");
    await writeFile(
      stack.catalogPath,
      catalog.replace(
        "providers:\n",
        `providers:\n  - { id: google, name: Google AI Studio, api: gemini, base_url: "${gemini.url}", api_key_env: PRIMARY_API_KEY, data_policy: { training: false, retains_prompts: true, retention_days: 55, zdr: false } }\n` +
          // Never called: the request below is refused before any upstream call.
          `  - { id: amazon-bedrock, name: Amazon Bedrock, api: bedrock, base_url: "https://bedrock-runtime.us-east-1.amazonaws.com", api_key_env: PRIMARY_API_KEY, data_policy: { training: false, retains_prompts: false, zdr: true } }\n`,
      ) +
        `  - id: test/embed
    name: "Test: Embed"
    context_length: 8192
    output_modalities: [embeddings]
    endpoints:
      - { provider: primary, upstream_model: embed-primary, pricing: { prompt: "${embedPrices.primary}", completion: "0" }, supported_parameters: [dimensions] }
      - { provider: backup, upstream_model: embed-backup, pricing: { prompt: "${embedPrices.backup}", completion: "0" }, supported_parameters: [dimensions] }
  - id: test/gemini-embed
    name: "Test: Gemini Embed"
    context_length: 2048
    output_modalities: [embeddings]
    endpoints:
      - { provider: google, upstream_model: gemini-embedding-test, pricing: { prompt: "${embedPrices.google}", completion: "0" }, supported_parameters: [dimensions] }
  - id: test/titan-embed
    name: "Test: Titan Embed"
    context_length: 8192
    output_modalities: [embeddings]
    endpoints:
      - { provider: amazon-bedrock, upstream_model: "amazon.titan-embed-text-v2:0", pricing: { prompt: "0.00000002", completion: "0" }, supported_parameters: [dimensions] }
  - id: test/gemini
    name: "Test: Gemini"
    context_length: 1000000
    endpoints:
      - { provider: google, upstream_model: gemini-test-1, pricing: { prompt: "0.0000003", completion: "0.0000025" }, max_completion_tokens: 4000 }
`,
    );
    await stack.restartRouter();
    ({ key } = await stack.createFundedKey("10.00"));
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    for (const started = Date.now(); ; await sleep(20)) {
      const response = await fetch(`${stack.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
      if (JSON.stringify(await response.json()).includes("test/gemini-embed")) break;
      if (Date.now() - started > 5_000) throw new Error("the test catalog never appeared");
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await gemini?.close();
  });

  /** The ledger's charge for one generation, once billing settled it. */
  async function ledgerChargeOf(generationId: string): Promise<number> {
    const entry = await waitFor(
      () => stack.database.database.selectFrom("ledger_entries").select("amount_micros").where("generation_id", "=", generationId).where("kind", "=", "charge").executeTakeFirst(),
      5_000,
      "the generation's charge",
    );
    return -entry.amount_micros;
  }

  /** GET /generation?id= as the client reads it (OpenRouter's record), once metadata-logging has it. */
  async function generationRecord(generationId: string): Promise<{ api_type: string }> {
    return waitFor(
      async () => {
        const lookup = await fetch(`${stack.baseUrl}/generation?id=${generationId}`, { headers: { authorization: `Bearer ${key}` } });
        return lookup.status === 200 ? ((await lookup.json()) as { data: { api_type: string } }).data : undefined;
      },
      5_000,
      "the generation record",
    );
  }

  async function generationRow(generationId: string) {
    return waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", generationId).executeTakeFirst(), 5_000, "generation row");
  }

  it("embeds a batch for the openai SDK (base64 by default), charging the input tokens at the endpoint's price", async () => {
    const inputs = ["embed the first sentence", "and the second one"];
    stack.primary.addRule(inputs[0]!, { usage: { prompt_tokens: 11, completion_tokens: 0 } });
    const response = await client.embeddings.create({ model: "test/embed", input: inputs });
    expect(response.data.map((item) => item.embedding)).toEqual(inputs.map((input) => fakeEmbedding(input)));
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expect(response.model).toBe("test/embed");
    const expectedMicros = computeCostMicros(inputUsage(11), priceOf(embedPrices.primary));
    expect(response.usage).toMatchObject({ prompt_tokens: 11, total_tokens: 11, cost: expectedMicros / 1e6 });

    const sent = stack.primary.requests.at(-1)!;
    expect(sent.body).toEqual({ model: "embed-primary", input: inputs, encoding_format: "float" });
    expect(sent.headers["authorization"]).toBe("Bearer sk-primary-test");

    const id = (response as unknown as { id: string }).id;
    expect(id).toMatch(/^gen-/);
    expect(await ledgerChargeOf(id)).toBe(expectedMicros);
    const row = await generationRow(id);
    expect(row).toMatchObject({ status: "success", model: "test/embed", provider_id: "primary", tokens_prompt: 11, tokens_completion: 0, cost_micros: expectedMicros, streamed: false, usage_estimated: false });
    expect((await generationRecord(id)).api_type).toBe("embeddings");
  });

  it("answers floats and shortened vectors when asked, in OpenAI's shape with id, provider and cost", async () => {
    const response = await fetch(`${stack.baseUrl}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/embed", input: "short vector please", encoding_format: "float", dimensions: 4 }),
    });
    expect(response.status).toBe(200);
    const body = embeddingsResponseSchema.parse(await response.json());
    expect(response.headers.get("x-generation-id")).toBe(body.id);
    expect(body).toMatchObject({ object: "list", model: "test/embed", provider: "Primary Labs", data: [{ object: "embedding", index: 0, embedding: fakeEmbedding("short vector please", 4) }] });
    expect(stack.primary.requests.at(-1)!.body).toMatchObject({ dimensions: 4 });
  });

  it("falls back to the next provider when the cheapest fails, and settles at the provider that served", async () => {
    stack.primary.addRule("fall back for this embedding", { status: 503 });
    stack.backup.addRule("fall back for this embedding", { usage: { prompt_tokens: 6, completion_tokens: 0 } });
    const response = await client.embeddings.create({ model: "test/embed", input: "fall back for this embedding", encoding_format: "float" });
    expect(response.data[0]?.embedding).toEqual(fakeEmbedding("fall back for this embedding"));
    expect((response as unknown as { provider: string }).provider).toBe("Backup Cloud");
    const expectedMicros = computeCostMicros(inputUsage(6), priceOf(embedPrices.backup));
    expect((response.usage as unknown as { cost: number }).cost).toBe(expectedMicros / 1e6);
    const id = (response as unknown as { id: string }).id;
    expect(await ledgerChargeOf(id)).toBe(expectedMicros);
    const row = await generationRow(id);
    expect(row.attempts).toEqual([
      expect.objectContaining({ endpointId: "test/embed@primary", status: 502 }),
      expect.objectContaining({ endpointId: "test/embed@backup", status: 200 }),
    ]);
  });

  it("answers an upstream refusal in OpenRouter's error shape and charges nothing", async () => {
    stack.primary.addRule("this input is refused", { status: 400, errorMessage: "This model's maximum context length is 8192 tokens" });
    const response = await fetch(`${stack.baseUrl}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/embed", input: "this input is refused" }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; message: string; metadata: Record<string, unknown> } };
    expect(body.error).toMatchObject({ code: 400, metadata: { provider_name: "Primary Labs", raw: "This model's maximum context length is 8192 tokens" } });
    const row = await generationRow(response.headers.get("x-generation-id") ?? "");
    expect(row).toMatchObject({ status: "error", cost_micros: 0 });
  });

  it("refuses an embeddings request the account cannot cover with billing's 402, holding and charging nothing", async () => {
    const poor = await stack.createFundedKey("0.000001");
    const response = await fetch(`${stack.baseUrl}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${poor.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/embed", input: "x".repeat(2_000) }),
    });
    expect(response.status).toBe(402);
    const body = (await response.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(402);
    expect(body.error.message).not.toContain("max_tokens");
    expect(body.error.message).toContain("send fewer or shorter inputs");
    const account = await stack.admin("GET", `/admin/accounts/${poor.accountId}`);
    expect((account.body as { data: { balance_micros: number; reserved_micros: number } }).data).toMatchObject({ balance_micros: 1, reserved_micros: 0 });
  });

  it("lists the embedding models at GET /embeddings/models, as OpenRouter does", async () => {
    const listing = (await (await fetch(`${stack.baseUrl}/embeddings/models`)).json()) as { data: { id: string; architecture: { output_modalities: string[] } }[]; total_count: number };
    expect(listing.data.map((model) => model.id).sort()).toEqual(["test/embed", "test/gemini-embed", "test/titan-embed"]);
    expect(listing.total_count).toBe(3);
    expect(listing.data[0]?.architecture.output_modalities).toEqual(["embeddings"]);
  });

  it("refuses chat on an embedding model and embeddings on a chat model, and bad input, in OpenRouter's shape", async () => {
    const chat = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/embed", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(404);
    expect(((await chat.json()) as { error: { message: string } }).error.message).toContain("is an embedding model");
    const embeddings = await fetch(`${stack.baseUrl}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", input: "hi" }),
    });
    expect(embeddings.status).toBe(404);
    expect(((await embeddings.json()) as { error: { code: number } }).error.code).toBe(404);
    const empty = await fetch(`${stack.baseUrl}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/embed", input: [] }),
    });
    expect(empty.status).toBe(400);
    const unauthenticated = await fetch(`${stack.baseUrl}/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "test/embed", input: "x" }) });
    expect(unauthenticated.status).toBe(401);
  });

  it("refuses several inputs for Amazon Titan on Bedrock (one text per call) with a 400 in OpenRouter's shape naming the limit", async () => {
    const response = await fetch(`${stack.baseUrl}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/titan-embed", input: ["first text", "second text"] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: number; message: string; metadata?: Record<string, unknown> } };
    expect(body.error.code).toBe(400);
    expect(body.error.message).toContain("one text per request");
    expect(JSON.stringify(body)).not.toContain("first text");
  });

  it("embeds through Gemini's batchEmbedContents; without Google's token count the charge is the recorded estimate", async () => {
    const inputs = ["gemini embeds this", "and this"];
    const response = await client.embeddings.create({ model: "test/gemini-embed", input: inputs, dimensions: 6 });
    expect(response.data.map((item) => item.embedding)).toEqual(inputs.map((input) => fakeEmbedding(input, 6)));
    expect((response as unknown as { provider: string }).provider).toBe("Google AI Studio");
    const sent = gemini.requests.at(-1)!;
    expect(sent.url).toBe("/v1beta/models/gemini-embedding-test:batchEmbedContents");
    expect(sent.headers["x-goog-api-key"]).toBe("sk-primary-test");
    expect(sent.body).toEqual({
      requests: inputs.map((text) => ({ model: "models/gemini-embedding-test", content: { parts: [{ text }] }, outputDimensionality: 6 })),
    });
    const id = (response as unknown as { id: string }).id;
    const cost = (response.usage as unknown as { cost: number }).cost;
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
    expect(cost).toBe(computeCostMicros(inputUsage(response.usage.prompt_tokens), priceOf(embedPrices.google)) / 1e6);
    expect(await ledgerChargeOf(id)).toBe(Math.round(cost * 1e6));
    expect(await generationRow(id)).toMatchObject({ status: "success", provider_id: "google", tokens_prompt: response.usage.prompt_tokens, usage_estimated: true });
  });

  it("serves a legacy completion on chat for the openai SDK, whole and streamed, with usage and cost as chat", async () => {
    stack.primary.addRule("Say this is a test", { text: "This is indeed a test", usage: { prompt_tokens: 5, completion_tokens: 5 } });
    const completion = await client.completions.create({ model: "test/echo", prompt: "Say this is a test", max_tokens: 7, temperature: 0 });
    expect(textCompletionSchema.parse(completion)).toBeTruthy();
    expect(completion).toMatchObject({ object: "text_completion", model: "test/echo", choices: [{ text: "This is indeed a test", index: 0, logprobs: null, finish_reason: "stop" }] });
    const expectedMicros = computeCostMicros({ ...inputUsage(5), completionTokens: 5 }, priceOf(testPrices.primary.prompt, testPrices.primary.completion));
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
    expect((completion.usage as unknown as { cost: number }).cost).toBe(expectedMicros / 1e6);
    expect(await ledgerChargeOf(completion.id)).toBe(expectedMicros);
    // OpenRouter's api_type has no value of its own for legacy completions: they are completions, like chat.
    expect((await generationRecord(completion.id)).api_type).toBe("completions");
    expect(stack.primary.requests.at(-1)!.body).toMatchObject({ model: "echo-primary", messages: [{ role: "user", content: "Say this is a test" }], max_tokens: 7, temperature: 0 });
    expect(stack.primary.requests.at(-1)!.body).not.toHaveProperty("prompt");

    const stream = await client.completions.create({ model: "test/echo", prompt: "Say this is a test", max_tokens: 7, stream: true });
    let text = "";
    let finishReason: string | null = null;
    let usageChunk: OpenAI.Completions.Completion | undefined;
    const ids = new Set<string>();
    for await (const chunk of stream) {
      expect(textCompletionSchema.safeParse(chunk).success).toBe(true);
      expect(chunk.object).toBe("text_completion");
      ids.add(chunk.id);
      text += chunk.choices[0]?.text ?? "";
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      if (chunk.usage) usageChunk = chunk;
    }
    expect(text).toBe("This is indeed a test");
    expect(finishReason).toBe("stop");
    expect(ids.size).toBe(1);
    expect(usageChunk).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 5, cost: expectedMicros / 1e6 } });
    expect(await ledgerChargeOf([...ids][0]!)).toBe(expectedMicros);
  });

  it("streams raw text_completion chunks ending with usage and [DONE], and returns logprobs in the completions shape", async () => {
    stack.primary.addRule("complete with logprobs", { chunks: ["one", " two"] });
    const response = await fetch(`${stack.baseUrl}/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", prompt: "complete with logprobs", stream: true }),
    });
    expect(response.status).toBe(200);
    const { data } = readServerSentEvents(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((payload) => textCompletionSchema.parse(JSON.parse(payload)));
    expect(chunks.map((chunk) => chunk.choices[0]?.text ?? "").join("")).toBe("one two");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 2 } });

    const whole = await client.completions.create({ model: "test/echo", prompt: "complete with logprobs", logprobs: 1 });
    expect(stack.primary.requests.at(-1)!.body).toMatchObject({ logprobs: true, top_logprobs: 1 });
    expect(whole.choices[0]?.logprobs).toMatchObject({ tokens: ["one", " two"], text_offset: [0, 3] });
    expect(whole.choices[0]?.logprobs?.token_logprobs).toHaveLength(2);
  });

  it("streams log probabilities whose text offsets count from the start of the whole text", async () => {
    stack.primary.addRule("stream with logprobs", { chunks: ["one", " two"] });
    const response = await fetch(`${stack.baseUrl}/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", prompt: "stream with logprobs", stream: true, logprobs: 1 }),
    });
    expect(response.status).toBe(200);
    const { data } = readServerSentEvents(await response.text());
    const logprobs = data
      .slice(0, -1)
      .map((payload) => textCompletionSchema.parse(JSON.parse(payload)).choices[0]?.logprobs)
      .filter((value) => value !== undefined && value !== null);
    expect(logprobs.map((value) => [value.tokens, value.text_offset])).toEqual([
      [["one"], [0]],
      [[" two"], [3]],
    ]);
  });

  it("translates a legacy completion onto another provider's chat API (Gemini)", async () => {
    gemini.setScript({ text: "Gemini completes it.", usage: { promptTokenCount: 4, candidatesTokenCount: 4 } });
    const completion = await client.completions.create({ model: "test/gemini", prompt: "Complete me, Gemini" });
    expect(completion.choices[0]).toMatchObject({ text: "Gemini completes it.", finish_reason: "stop" });
    expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 4 });
    expect(gemini.requests.at(-1)!.body).toMatchObject({ contents: [{ role: "user", parts: [{ text: "Complete me, Gemini" }] }] });
  });

  it("refuses what chat cannot express with a 400 naming the parameter", async () => {
    const response = await fetch(`${stack.baseUrl}/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", prompt: ["one", "two"] }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { metadata: { parameter: string } } }).error.metadata.parameter).toBe("prompt");
  });

  it("keeps the embedded and prompted text out of every table, log and stream", async () => {
    const canary = "EMBEDDING-CANARY-51d0e7";
    const response = await client.embeddings.create({ model: "test/embed", input: [`secret ${canary}`, `second ${canary}`] });
    const embeddingId = (response as unknown as { id: string }).id;
    await ledgerChargeOf(embeddingId);
    const completion = await client.completions.create({ model: "test/echo", prompt: `prompt ${canary}` });
    await ledgerChargeOf(completion.id);
    await generationRow(embeddingId);
    await generationRow(completion.id);
    for (const table of ["reservations", "ledger_entries", "ledger_transactions", "generations", "connector_usage_reports", "logging_usage_reports", "billing_outbox", "settlement_anomalies"]) {
      const dump = await sql<{ row: unknown }>`SELECT row_to_json(t) AS row FROM ${sql.table(table)} t`.execute(stack.database.database);
      expect(JSON.stringify(dump.rows), `table ${table}`).not.toContain(canary);
    }
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.join("\n")).not.toContain(canary);
    // The facts of both generations are in the stack's JetStream store (their ids show it was read), without the text.
    const stored = await waitFor(async () => {
      const entries = await readdir(stack.bus.server.storeDirectory, { recursive: true, withFileTypes: true });
      const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
      const text = (await Promise.all(files.map((file) => readFile(file, "latin1")))).join("\n");
      return text.includes(embeddingId) && text.includes(completion.id) ? text : undefined;
    }, 5_000, "both facts in the JetStream store");
    expect(stored).not.toContain(canary);
  });
});
