import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { modelListingSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/**
 * Cost follows the usage split (issues 10 and 11): an endpoint whose catalog entry prices cache reads, cache
 * writes, reasoning tokens and requests apart charges each part at its own price, and `usage.cost` is the
 * ledger's charge to the micro-dollar, streamed or not.
 */
describe("usage split pricing end to end", () => {
  let stack: TestStack;
  let client: OpenAI;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    const catalog = await readFile(stack.catalogPath, "utf8");
    await writeFile(
      stack.catalogPath,
      catalog +
        `  - id: test/cached
    name: "Test: Cached"
    context_length: 8192
    endpoints:
      - { provider: primary, upstream_model: cached-primary, pricing: { prompt: "0.000003", completion: "0.000015", input_cache_read: "0.0000003", input_cache_write: "0.00000375", internal_reasoning: "0.00002", request: "0.001" }, max_completion_tokens: 1000 }
`,
    );
    await stack.restartRouter();
    ({ key } = await stack.createFundedKey("10.00"));
    client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    // The new snapshot reaches ingress asynchronously.
    for (const started = Date.now(); ; await sleep(20)) {
      const response = await fetch(`${stack.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
      if (JSON.stringify(await response.json()).includes("test/cached")) break;
      if (Date.now() - started > 5_000) throw new Error("test/cached never appeared");
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  // 2,000 prompt tokens: 1,500 read from the cache, 400 written to it, 100 plain; 300 completion tokens, 200 reasoning.
  const usage = { prompt_tokens: 2_000, completion_tokens: 300, cached_tokens: 1_500, cache_write_tokens: 400, reasoning_tokens: 200 };
  // 100 × 3 + 1,500 × 0.3 + 400 × 3.75 + 100 × 15 + 200 × 20 + 1,000 µ$ per request.
  const expectedMicros = 300 + 450 + 1_500 + 1_500 + 4_000 + 1_000;

  /** The ledger's charge for one generation, once billing settled it. */
  async function ledgerChargeOf(generationId: string): Promise<number> {
    const entry = await waitFor(
      () =>
        stack.database.database
          .selectFrom("ledger_entries")
          .select("amount_micros")
          .where("generation_id", "=", generationId)
          .where("kind", "=", "charge")
          .executeTakeFirst(),
      5_000,
      "the generation's charge",
    );
    return -entry.amount_micros;
  }

  it("charges each part of a completion's usage at its own price; usage.cost is the ledger charge", async () => {
    stack.primary.addRule("split me plainly", { text: "cached answer", usage });
    const completion = await client.chat.completions.create({ model: "test/cached", messages: [{ role: "user", content: "split me plainly" }] });
    expect(completion.usage).toMatchObject({
      prompt_tokens: 2_000,
      completion_tokens: 300,
      prompt_tokens_details: { cached_tokens: 1_500, cache_write_tokens: 400 },
      completion_tokens_details: { reasoning_tokens: 200 },
      cost: expectedMicros / 1e6,
    });
    expect(await ledgerChargeOf(completion.id)).toBe(expectedMicros);
    const row = await waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", completion.id).executeTakeFirst(), 5_000, "generation row");
    expect(row).toMatchObject({ tokens_prompt: 2_000, tokens_cached: 1_500, tokens_cache_write: 400, tokens_reasoning: 200, cost_micros: expectedMicros });
  });

  it("does the same for a stream's final usage chunk", async () => {
    stack.primary.addRule("split me in a stream", { chunks: ["cached ", "answer"], usage });
    let generationId = "";
    let streamedUsage: unknown;
    for await (const chunk of await client.chat.completions.create({ model: "test/cached", stream: true, messages: [{ role: "user", content: "split me in a stream" }] })) {
      generationId = chunk.id;
      if (chunk.usage) streamedUsage = chunk.usage;
    }
    expect(streamedUsage).toMatchObject({ prompt_tokens_details: { cached_tokens: 1_500, cache_write_tokens: 400 }, cost: expectedMicros / 1e6 });
    expect(await ledgerChargeOf(generationId)).toBe(expectedMicros);
  });

  it("lists the split prices at /api/v1/models and the model's endpoints under OpenRouter's names", async () => {
    const headers = { authorization: `Bearer ${key}` };
    const models = (await (await fetch(`${stack.baseUrl}/models`, { headers })).json()) as { data: unknown[] };
    const cached = models.data.map((model) => modelListingSchema.parse(model)).find((model) => model.id === "test/cached");
    const pricing = {
      prompt: "0.000003",
      completion: "0.000015",
      request: "0.001",
      image: "0",
      web_search: "0",
      internal_reasoning: "0.00002",
      input_cache_read: "0.0000003",
      input_cache_write: "0.00000375",
    };
    expect(cached?.pricing).toEqual(pricing);
    const endpoints = (await (await fetch(`${stack.baseUrl}/models/test/cached/endpoints`, { headers })).json()) as { data: { endpoints: { pricing: unknown }[] } };
    expect(endpoints.data.endpoints[0]?.pricing).toEqual(pricing);
    // An endpoint without split prices lists its fallbacks and no cache prices.
    const echo = models.data.map((model) => modelListingSchema.parse(model)).find((model) => model.id === "test/echo");
    expect(echo?.pricing).toEqual({ prompt: "0.000001", completion: "0.000002", request: "0", image: "0", web_search: "0", internal_reasoning: "0.000002" });
  });
});
