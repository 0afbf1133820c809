import OpenAI from "openai";
import { chatChunkSchema, chatResponseSchema, computeCostMicros, parseUsdPerTokenToPicos } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServerSentEvents } from "../support/read-server-sent-events.js";
import { startStack, testPrices, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

const primaryPrice = {
  promptPicosPerToken: parseUsdPerTokenToPicos(testPrices.primary.prompt).toString(),
  completionPicosPerToken: parseUsdPerTokenToPicos(testPrices.primary.completion).toString(),
};

describe("chat completions end to end (issue #3)", () => {
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

  it("serves a completion and a stream to the official openai SDK, with identical text", async () => {
    stack.primary.addRule("tell me a story", { text: "Once upon a time, a router met a model.", usage: { prompt_tokens: 12, completion_tokens: 9 } });
    const messages = [{ role: "user" as const, content: "tell me a story" }];

    const completion = await client.chat.completions.create({ model: "test/echo", messages });
    expect(completion.id).toMatch(/^gen-/);
    expect(chatResponseSchema.parse(completion)).toBeTruthy();
    expect(completion.model).toBe("test/echo");
    expect((completion as unknown as { provider: string }).provider).toBe("Primary Labs");
    expect(completion.choices[0]?.message.content).toBe("Once upon a time, a router met a model.");
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
    const expectedCost = computeCostMicros({ promptTokens: 12, completionTokens: 9, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, primaryPrice) / 1e6;
    expect((completion.usage as unknown as { cost: number }).cost).toBe(expectedCost);

    const stream = await client.chat.completions.create({ model: "test/echo", messages, stream: true });
    let streamedText = "";
    const ids = new Set<string>();
    let usageChunk: unknown;
    for await (const chunk of stream) {
      expect(chatChunkSchema.safeParse(chunk).success).toBe(true);
      ids.add(chunk.id);
      streamedText += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usageChunk = chunk;
    }
    expect(streamedText).toBe(completion.choices[0]?.message.content);
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^gen-/);
    expect(usageChunk).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 9, cost: expectedCost } });
  });

  it("sends the upstream the catalog's upstream model, the provider key and a max_tokens cap", async () => {
    stack.primary.addRule("what do you see", { text: "ok" });
    await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "what do you see" }] });
    const seen = stack.primary.requests.filter((request) => JSON.stringify(request.body).includes("what do you see")).at(-1);
    expect(seen?.body).toMatchObject({ model: "echo-primary", max_tokens: 1000 });
    expect(seen?.headers["authorization"]).toBe("Bearer sk-primary-test");
    expect(JSON.stringify(seen?.body)).not.toContain("provider");
  });

  it("ends every stream with a usage chunk and [DONE] even without stream_options, and sends X-Generation-Id", async () => {
    stack.primary.addRule("raw stream please", { chunks: ["a", "b", "c"] });
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", stream: true, messages: [{ role: "user", content: "raw stream please" }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const generationId = response.headers.get("x-generation-id");
    expect(generationId).toMatch(/^gen-/);
    const { data } = readServerSentEvents(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((payload) => chatChunkSchema.parse(JSON.parse(payload)));
    expect(chunks.every((chunk) => chunk.id === generationId)).toBe(true);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.cost).toBeGreaterThan(0);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("abc");
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === "stop")).toBe(true);
  });

  it("names the assistant role in a stream's first delta only, as OpenAI streams", async () => {
    stack.primary.addRule("role once please", { chunks: ["x", "y", "z"] });
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", stream: true, messages: [{ role: "user", content: "role once please" }] }),
    });
    expect(response.status).toBe(200);
    const { data } = readServerSentEvents(await response.text());
    const deltas = data.slice(0, -1).map((payload) => chatChunkSchema.parse(JSON.parse(payload)).choices[0]?.delta);
    expect(deltas.filter((delta) => delta?.content !== undefined).map((delta) => [delta?.role ?? null, delta?.content])).toEqual([
      ["assistant", "x"],
      [null, "y"],
      [null, "z"],
    ]);
  });

  it("falls back to the next provider when the cheapest fails before the first token", async () => {
    stack.primary.addRule("fallback please", { status: 503 });
    stack.backup.addRule("fallback please", { text: "served by backup" });
    const completion = await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "fallback please" }] });
    expect(completion.choices[0]?.message.content).toBe("served by backup");
    expect((completion as unknown as { provider: string }).provider).toBe("Backup Cloud");
    const row = await waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", completion.id).executeTakeFirst(), 5_000, "generation row");
    expect(row.provider_id).toBe("backup");
    const latency = expect.any(Number);
    expect(row.attempts).toEqual([
      { endpointId: "test/echo@primary", providerId: "primary", status: 502, errorCode: "upstream_error", modelId: "test/echo", providerName: "Primary Labs", latencyMs: latency },
      { endpointId: "test/echo@backup", providerId: "backup", status: 200, errorCode: null, modelId: "test/echo", providerName: "Backup Cloud", latencyMs: latency },
    ]);
    // GET /generation lists both, as OpenRouter's provider_responses.
    const record = (await (await fetch(`${stack.baseUrl}/generation?id=${completion.id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { provider_responses: unknown } };
    expect(record.data.provider_responses).toEqual([
      { endpoint_id: "test/echo@primary", model_permaslug: "test/echo", provider_name: "Primary Labs", status: 502, latency, is_byok: false },
      { endpoint_id: "test/echo@backup", model_permaslug: "test/echo", provider_name: "Backup Cloud", status: 200, latency, is_byok: false },
    ]);
  });

  it("charges the balance exactly the sum of recorded generation costs, one row per generation", async () => {
    const funded = await stack.createFundedKey("5.00");
    const fundedClient = new OpenAI({ apiKey: funded.key, baseURL: stack.baseUrl, maxRetries: 0 });
    const count = 6;
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const request = { model: "test/echo", messages: [{ role: "user" as const, content: `count me ${index} ${"x".repeat(index * 50)}` }] };
      if (index % 2 === 0) {
        ids.push((await fundedClient.chat.completions.create(request)).id);
      } else {
        for await (const chunk of await fundedClient.chat.completions.create({ ...request, stream: true })) ids.push(chunk.id);
      }
    }
    const uniqueIds = [...new Set(ids)];
    expect(uniqueIds).toHaveLength(count);
    const rows = await waitFor(async () => {
      const found = await stack.database.database.selectFrom("generations").selectAll().where("account_id", "=", funded.accountId).execute();
      return found.length >= count ? found : undefined;
    }, 5_000, "generation rows");
    // Every generation resolved: a reserved one leaves "pending", a leased one gets its row at settlement.
    const settled = await waitFor(async () => {
      const resolved = await stack.database.database.selectFrom("reservations").select("status").where("account_id", "=", funded.accountId).where("status", "!=", "pending").execute();
      return resolved.length === count ? true : undefined;
    }, 5_000, "settlements");
    expect(settled).toBe(true);
    expect(rows).toHaveLength(count);
    expect(rows.every((row) => row.status === "success" && row.cost_micros > 0)).toBe(true);
    const totalCost = rows.reduce((sum, row) => sum + row.cost_micros, 0);
    const account = await stack.admin("GET", `/admin/accounts/${funded.accountId}`);
    expect(account.status).toBe(200);
    const data = (account.body as { data: { balance_micros: number; reserved_micros: number } }).data;
    expect(data.balance_micros).toBe(5_000_000 - totalCost);
    expect(data.reserved_micros).toBe(0);
    const ledger = await stack.database.database
      .selectFrom("ledger_entries")
      .select((expression) => expression.fn.sum<string>("amount_micros").as("total"))
      .where("account_id", "=", funded.accountId)
      .executeTakeFirstOrThrow();
    expect(Number(ledger.total)).toBe(data.balance_micros);
  });

  it("answers 502 with X-Generation-Id and charges nothing when every provider fails", async () => {
    stack.primary.addRule("everyone fails", { status: 500 });
    stack.backup.addRule("everyone fails", { status: 502 });
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "everyone fails" }] }),
    });
    expect(response.status).toBe(502);
    const generationId = response.headers.get("x-generation-id");
    expect(generationId).toMatch(/^gen-/);
    const body = (await response.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(502);
    const row = await waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", generationId ?? "").executeTakeFirst(), 5_000, "generation row");
    expect(row).toMatchObject({ status: "error", cost_micros: 0, tokens_prompt: 0, tokens_completion: 0 });
    expect(row.attempts).toHaveLength(2);
    const reservation = await waitFor(async () => {
      const found = await stack.database.database.selectFrom("reservations").selectAll().where("generation_id", "=", generationId ?? "").executeTakeFirst();
      return found?.status === "voided" ? found : undefined;
    }, 5_000, "voided reservation");
    expect(reservation.charged_micros).toBe(0);
  });

  it("serves a generation's metadata at GET /generation to its own account only", async () => {
    stack.primary.addRule("look me up", { text: "recorded", usage: { prompt_tokens: 5, completion_tokens: 2 } });
    const completion = await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "look me up" }] });
    const lookup = (apiKey: string) => fetch(`${stack.baseUrl}/generation?id=${completion.id}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const found = await waitFor(async () => {
      const response = await lookup(key);
      return response.status === 200 ? ((await response.json()) as { data: Record<string, unknown> }) : undefined;
    }, 5_000, "generation record");
    expect(found.data).toMatchObject({ id: completion.id, model: "test/echo", provider_name: "Primary Labs", tokens_prompt: 5, tokens_completion: 2, streamed: false, cancelled: false });
    expect(found.data["total_cost"]).toBe((completion.usage as unknown as { cost: number }).cost);
    const stranger = await stack.createFundedKey("1.00");
    expect((await lookup(stranger.key)).status).toBe(404);
  });

  it("never overdraws an account under concurrent requests", async () => {
    // Each request holds up to 4,255 µ$ (the priciest candidate's bound) until the upstream answers; when the
    // account cannot cover that but can cover the first candidate's bound (2,085 µ$ at the primary's prices),
    // it holds that much and falls back only to candidates no pricier (reserve-credit.ts). So a 10,000 µ$
    // account carries two requests at the priciest bound, or one and two at the first's, or four at the
    // first's, depending on when billing recalled the credit it had leased to ingress; the others must be
    // refused, not served on credit. The upstreams answer only once every request was admitted or refused
    // (a timed delay would let an early answer free its hold while a slow machine is still deciding the
    // others), so every admitted request's hold is outstanding at once and their sum must fit the balance.
    // Both hold back: on a loaded machine an attempt the connector did not take up within the service
    // timeout falls back to the backup, which must not answer early either. Each request is counted once
    // however many upstreams it reached.
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    for (const upstream of [stack.primary, stack.backup]) upstream.addRule(/^slow and concurrent #\d+$/, { text: "done", answerAfter: gate, usage: { prompt_tokens: 10, completion_tokens: 2 } });
    const admitted = () =>
      new Set(
        [...stack.primary.requests, ...stack.backup.requests].flatMap((request) => JSON.stringify(request.body).match(/slow and concurrent #\d+/g) ?? []),
      ).size;
    const funded = await stack.createFundedKey("0.010000");
    let refused = 0;
    const answers = Promise.all(
      Array.from({ length: 10 }, async (_, index) => {
        const response = await fetch(`${stack.baseUrl}/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${funded.key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: `slow and concurrent #${index}` }] }),
        });
        await response.arrayBuffer();
        if (response.status !== 200) refused++;
        return response;
      }),
    );
    await waitFor(async () => (admitted() + refused >= 10 ? true : undefined), 30_000, "every request admitted or refused").finally(openGate);
    const statuses = (await answers).map((response) => response.status);
    const served = statuses.filter((status) => status === 200).length;
    expect(statuses.filter((status) => status !== 200 && status !== 402)).toEqual([]);
    expect(served).toBeGreaterThanOrEqual(2);
    expect(served).toBeLessThanOrEqual(4);
    const generations = await waitFor(async () => {
      const rows = await stack.database.database.selectFrom("generations").select(["id", "cost_micros"]).where("account_id", "=", funded.accountId).execute();
      return rows.length === served ? rows : undefined;
    }, 5_000, "a generation row for each request served");
    const account = await waitFor(async () => {
      const found = await stack.admin("GET", `/admin/accounts/${funded.accountId}`);
      const data = (found.body as { data: { balance_micros: number; reserved_micros: number } }).data;
      return data.reserved_micros === 0 ? data : undefined;
    }, 5_000, "released reservations");
    // What each served request held: all at once, within the balance, each one of the two bounds.
    const holds = await stack.database.database.selectFrom("reservations").select("amount_micros").where("account_id", "=", funded.accountId).execute();
    const held = holds.map((hold) => Number(hold.amount_micros));
    expect(held).toHaveLength(served);
    for (const amount of held) expect([4_255, 2_085]).toContain(amount);
    expect(held.reduce((sum, amount) => sum + amount, 0)).toBeLessThanOrEqual(10_000);
    // 10 prompt and 2 completion tokens: 14 µ$ at the primary's prices, 38 µ$ if the backup served (see above).
    const costs = generations.map((row) => Number(row.cost_micros));
    for (const cost of costs) expect([14, 38]).toContain(cost);
    expect(account.balance_micros).toBe(10_000 - costs.reduce((sum, cost) => sum + cost, 0));
  });

  it("lists models without a key, in OpenRouter's shape", async () => {
    const response = await fetch(`${stack.baseUrl}/models`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { id: string; pricing: { prompt: string; completion: string } }[] };
    expect(body.data.map((model) => model.id)).toEqual(["test/echo"]);
    expect(body.data[0]?.pricing).toMatchObject({ prompt: testPrices.primary.prompt, completion: testPrices.primary.completion });
  });

});
