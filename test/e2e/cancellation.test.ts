import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

describe("client cancellation", () => {
  let stack: TestStack;
  let key: string;
  let accountId: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key, accountId } = await stack.createFundedKey("10.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("closes the upstream connection within 1 s and charges only what was produced", async () => {
    const words = Array.from({ length: 200 }, (_value, index) => `word${index} `);
    stack.primary.addRule("a very long answer", { chunks: words, delayBetweenChunksMs: 50 });
    const client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "test/echo", stream: true, messages: [{ role: "user", content: "a very long answer" }] },
      { signal: controller.signal },
    );
    let received = "";
    let generationId = "";
    let abortedAt = 0;
    try {
      for await (const chunk of stream) {
        generationId = chunk.id;
        received += chunk.choices[0]?.delta.content ?? "";
        if (received.length > 30) {
          abortedAt = Date.now();
          controller.abort();
        }
      }
    } catch {
      // The SDK throws an abort error; that is the point.
    }
    expect(abortedAt).toBeGreaterThan(0);
    const upstream = await waitFor(async () => stack.primary.requests.find((request) => request.closedAt !== undefined && JSON.stringify(request.body).includes("a very long answer")), 3_000, "upstream close");
    expect(upstream.completed).toBe(false);
    expect((upstream.closedAt ?? Infinity) - abortedAt).toBeLessThan(1_000);

    const row = await waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", generationId).executeTakeFirst(), 5_000, "generation row");
    expect(row).toMatchObject({ cancelled: true, status: "cancelled", streamed: true, usage_estimated: true });
    expect(row.tokens_completion).toBeGreaterThan(0);
    // Far less than the 200-word answer the upstream would have produced.
    expect(row.tokens_completion).toBeLessThan(200);
    await waitFor(async () => {
      const reservation = await stack.database.database.selectFrom("reservations").selectAll().where("generation_id", "=", generationId).executeTakeFirst();
      return reservation?.status === "settled" ? reservation : undefined;
    }, 5_000, "settlement");
    const account = await stack.admin("GET", `/admin/accounts/${accountId}`);
    expect((account.body as { data: { balance_micros: number } }).data.balance_micros).toBe(10_000_000 - row.cost_micros);
  });

  it("cancels a non-streaming request whose client leaves before the provider answers, charging nothing", async () => {
    stack.primary.addRule("slow to answer", { text: "too late", delayBeforeHeadersMs: 3_000 });
    const before = await stack.admin("GET", `/admin/accounts/${accountId}`);
    const balanceBefore = (before.body as { data: { balance_micros: number } }).data.balance_micros;
    const controller = new AbortController();
    const pending = fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "slow to answer" }] }),
      signal: controller.signal,
    }).catch(() => undefined);
    await waitFor(async () => stack.primary.requests.find((request) => JSON.stringify(request.body).includes("slow to answer")), 3_000, "upstream request");
    const abortedAt = Date.now();
    controller.abort();
    await pending;
    const upstream = await waitFor(async () => stack.primary.requests.find((request) => request.closedAt !== undefined && JSON.stringify(request.body).includes("slow to answer")), 3_000, "upstream close");
    expect((upstream.closedAt ?? Infinity) - abortedAt).toBeLessThan(1_000);
    const row = await waitFor(async () => {
      const rows = await stack.database.database.selectFrom("generations").selectAll().where("account_id", "=", accountId).where("status", "=", "cancelled").where("streamed", "=", false).execute();
      return rows[0];
    }, 5_000, "cancelled generation row");
    expect(row).toMatchObject({ cancelled: true, cost_micros: 0, tokens_completion: 0 });
    await waitFor(async () => {
      const reservation = await stack.database.database.selectFrom("reservations").select("status").where("generation_id", "=", row.id).executeTakeFirst();
      return reservation?.status === "voided" || reservation?.status === "settled" ? true : undefined;
    }, 5_000, "resolved reservation");
    const after = await stack.admin("GET", `/admin/accounts/${accountId}`);
    expect((after.body as { data: { balance_micros: number; reserved_micros: number } }).data).toMatchObject({ balance_micros: balanceBefore, reserved_micros: 0 });
  });
});
