import { chatChunkSchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServerSentEvents } from "../support/read-server-sent-events.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/**
 * Streams commit their HTTP status late: a fast failure is a plain HTTP error, but a first token slower
 * than the commit delay (500 ms in the test stack) gets headers and keep-alive comments first.
 */
describe("streams with a slow first token", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key } = await stack.createFundedKey("1.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const stream = (content: string) =>
    fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", stream: true, messages: [{ role: "user", content }] }),
    });

  it("sends headers and keep-alive comments while the model has not answered yet", async () => {
    stack.primary.addRule("think long", { text: "finally", delayBeforeHeadersMs: 2_000 });
    const startedAt = performance.now();
    const response = await stream("think long");
    const headersAfterMs = performance.now() - startedAt;
    expect(response.status).toBe(200);
    expect(headersAfterMs).toBeLessThan(1_800);
    const { data, comments } = readServerSentEvents(await response.text());
    expect(comments.length).toBeGreaterThanOrEqual(2);
    expect(comments.every((comment) => comment === ": SWITCHBOARD PROCESSING")).toBe(true);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((payload) => chatChunkSchema.parse(JSON.parse(payload)));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("finally");
    expect(chunks.at(-1)?.usage?.cost).toBeGreaterThan(0);
  });

  it("reports a failure after the commit as an SSE error chunk, charges nothing, and still ends with usage and [DONE]", async () => {
    // The first attempt alone outlasts the 500 ms commit delay, however slow the machine.
    stack.primary.addRule("slow failure", { status: 500, delayBeforeHeadersMs: 900 });
    stack.backup.addRule("slow failure", { status: 503, delayBeforeHeadersMs: 100 });
    const response = await stream("slow failure");
    expect(response.status).toBe(200);
    const generationId = response.headers.get("x-generation-id") ?? "";
    const { data } = readServerSentEvents(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((payload) => chatChunkSchema.parse(JSON.parse(payload)));
    expect(chunks[0]).toMatchObject({ error: { code: 502 }, choices: [{ finish_reason: "error" }] });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { cost: 0, total_tokens: 0 } });
    const row = await waitFor(() => stack.database.database.selectFrom("generations").selectAll().where("id", "=", generationId).executeTakeFirst(), 5_000, "generation row");
    expect(row).toMatchObject({ status: "error", cost_micros: 0, streamed: true });
  });

  it("answers a fast failure with a plain HTTP status", async () => {
    stack.primary.addRule("fast failure", { status: 500 });
    stack.backup.addRule("fast failure", { status: 500 });
    const response = await stream("fast failure");
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(response.headers.get("x-generation-id")).toMatch(/^gen-/);
  });
});
