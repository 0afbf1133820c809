import { connect } from "node:net";
import { chatChunkSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServerSentEvents } from "../support/read-server-sent-events.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/** GENERATION_MAX_DURATION_MS (1.5 s here) ends a generation wherever it is, so a reservation never lapses under it. */
describe("the maximum generation duration", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack({ ingress: { generationMaximumDurationMs: 1_500 } });
    ({ key } = await stack.createFundedKey("1.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const streamRequest = (content: string) =>
    JSON.stringify({ model: "test/echo", stream: true, messages: [{ role: "user", content }] });
  const post = (body: string) =>
    fetch(`${stack.baseUrl}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
  const rowOf = (id: string) => waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", id).executeTakeFirst(), 5_000, "generation row");

  it("stops a provider that never answers, with an SSE error, no charge and the upstream closed", async () => {
    stack.primary.addRule("never answers", { neverRespond: true });
    const startedAt = Date.now();
    const response = await post(streamRequest("never answers"));
    expect(response.status).toBe(200);
    const { data } = readServerSentEvents(await response.text());
    const elapsed = Date.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(4_000);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((payload) => chatChunkSchema.parse(JSON.parse(payload)));
    expect(chunks[0]).toMatchObject({ error: { code: 504 }, choices: [{ finish_reason: "error" }] });
    expect(chunks.at(-1)?.usage?.cost).toBe(0);
    const row = await rowOf(response.headers.get("x-generation-id") ?? "");
    expect(row).toMatchObject({ status: "error", error_code: "upstream_timeout", cost_micros: 0 });
    const upstream = await waitFor(async () => stack.primary.requests.find((request) => request.closedAt !== undefined && JSON.stringify(request.body).includes("never answers")), 3_000, "upstream close");
    expect(upstream.completed).toBe(false);
  });

  it("stops a stream mid-way and charges what was delivered", async () => {
    stack.primary.addRule("endless story", { chunks: Array.from({ length: 100 }, (_value, index) => `word${index} `), delayBetweenChunksMs: 50 });
    const response = await post(streamRequest("endless story"));
    const { data } = readServerSentEvents(await response.text());
    const chunks = data.slice(0, -1).map((payload) => chatChunkSchema.parse(JSON.parse(payload)));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain("word99");
    expect(chunks.find((chunk) => chunk.error)).toMatchObject({ error: { code: 504 } });
    const row = await rowOf(response.headers.get("x-generation-id") ?? "");
    expect(row).toMatchObject({ status: "error", usage_estimated: true });
    expect(row.cost_micros).toBeGreaterThan(0);
    expect(row.tokens_completion).toBeLessThan(100);
  });

  it("does not let a client that stops reading hold a generation (and its reservation) open", async () => {
    const big = "x".repeat(4096);
    stack.primary.addRule("flood me", { chunks: Array.from({ length: 10_000 }, () => big) });
    const port = Number(new URL(stack.baseUrl).port);
    const body = streamRequest("flood me");
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write(
      `POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.pause(); // never read the response
    try {
      const row = await waitFor(async () => {
        const rows = await stack.database.database.selectFrom("generations").selectAll().where("status", "=", "error").where("error_code", "=", "upstream_timeout").where("tokens_completion", ">=", 500).execute();
        return rows[0];
      }, 8_000, "the stalled generation's row");
      await waitFor(async () => {
        const reservation = await stack.database.database.selectFrom("reservations").select("status").where("generation_id", "=", row.id).executeTakeFirst();
        return reservation?.status === "settled" ? true : undefined;
      }, 5_000, "settlement");
    } finally {
      socket.destroy();
    }
  });
});
