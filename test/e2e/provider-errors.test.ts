import { chatChunkSchema, httpErrorBodySchema } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServerSentEvents } from "../support/read-server-sent-events.js";
import { startStack, type TestStack } from "../support/start-stack.js";

/**
 * Upstream failures reach the client in OpenRouter's shape with the provider's own message (issue 11):
 * `{"error":{"code","message","metadata":{"provider_name","raw"}}}` after fallbacks are exhausted, and a
 * final SSE chunk with `error` and `finish_reason: "error"` when the failure comes after the first token.
 */
describe("provider errors end to end (issue 11)", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key } = await stack.createFundedKey("5.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const chat = (content: string, extra: Record<string, unknown> = {}) =>
    fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", max_tokens: 20, messages: [{ role: "user", content }], ...extra }),
    });

  it("answers the last provider's failure, with its name and sanitized message, when every provider fails", async () => {
    stack.primary.addRule("everyone is busy", { status: 429, errorMessage: "Rate limit reached for echo-primary." });
    stack.backup.addRule("everyone is busy", { status: 503, errorMessage: "The engine is currently overloaded,\r\n\u001b[31m please try again later." });
    const response = await chat("everyone is busy");
    expect(response.status).toBe(502);
    const body = httpErrorBodySchema.parse(await response.json());
    expect(body.error).toMatchObject({
      code: 502,
      metadata: { provider_name: "Backup Cloud", raw: "The engine is currently overloaded, [31m please try again later.", retryable: true },
    });
  });

  it("answers a provider's 429 with its message when that provider is the only one tried", async () => {
    stack.primary.addRule("only primary, limited", { status: 429, errorMessage: "Quota exceeded for echo-primary." });
    const response = await chat("only primary, limited", { provider: { only: ["primary"] } });
    expect(response.status).toBe(429);
    expect(httpErrorBodySchema.parse(await response.json()).error).toMatchObject({
      code: 429,
      metadata: { provider_name: "Primary Labs", raw: "Quota exceeded for echo-primary.", error_type: "upstream_rate_limited", retryable: true },
    });
  });

  it("answers a provider's 400 at once, not retried elsewhere, with the provider's message", async () => {
    stack.primary.addRule("too long for you", { status: 400, errorMessage: "This model's maximum context length is 8192 tokens." });
    // Pinned first: the failures of the tests before this one lower the primary's health, which would rank the backup first.
    const response = await chat("too long for you", { provider: { order: ["primary", "backup"] } });
    expect(response.status).toBe(400);
    expect(httpErrorBodySchema.parse(await response.json()).error).toMatchObject({
      code: 400,
      message: "Provider returned error",
      metadata: { provider_name: "Primary Labs", raw: "This model's maximum context length is 8192 tokens.", retryable: false },
    });
    expect(stack.backup.requests.filter((request) => JSON.stringify(request.body).includes("too long for you"))).toHaveLength(0);
  });

  it("shows the provider's words about a rejected provider key, with the key itself scrubbed", async () => {
    // The stack configures PRIMARY_API_KEY=sk-primary-test; OpenAI quotes the key it got, masked or whole.
    stack.primary.addRule("bad key everywhere", { status: 401, errorMessage: "Incorrect API key provided: sk-prim****test. Sent: sk-primary-test" });
    const response = await chat("bad key everywhere", { provider: { only: ["primary"] } });
    expect(response.status).toBe(502);
    const body = httpErrorBodySchema.parse(await response.json());
    expect(body.error.message).toContain("rejected Switchboard's provider key (HTTP 401)");
    expect(body.error.metadata).toMatchObject({
      provider_name: "Primary Labs",
      raw: "Incorrect API key provided: [redacted]. Sent: [redacted]",
      retryable: false,
    });
    expect(JSON.stringify(body)).not.toContain("sk-prim");
    expect(JSON.stringify(body)).not.toMatch(/\*{4}test/);
  });

  it("never lets the provider key out when the provider's message is cut across it", async () => {
    // The key starts 10 characters before the 1,000-character bound of metadata.raw, glued to the text before it.
    const label = "key=";
    stack.primary.addRule("key across the cut", { status: 401, errorMessage: `${"x".repeat(990 - label.length)}${label}sk-primary-test rejected` });
    const response = await chat("key across the cut", { provider: { only: ["primary"] } });
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).not.toContain("sk-prima");
    expect(httpErrorBodySchema.parse(JSON.parse(text)).error.metadata).toMatchObject({ raw: expect.stringContaining("key=[redacted]") });
  });

  it("never lets the provider key out when an in-stream error message is cut across it", async () => {
    const label = "key=";
    stack.primary.addRule("stream key across the cut", {
      text: "one two three four",
      streamErrorAfterChunks: 2,
      errorMessage: `${"x".repeat(990 - label.length)}${label}sk-primary-test rejected`,
    });
    const response = await chat("stream key across the cut", { stream: true, provider: { only: ["primary"] } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain("sk-prima");
    expect(text).toContain("key=[redacted]");
  });

  it("ends a stream that fails after its first tokens with an error chunk carrying the provider's metadata", async () => {
    stack.primary.addRule("fail midway", { text: "one two three four", streamErrorAfterChunks: 2, errorMessage: "The server had an error while processing your request." });
    const response = await chat("fail midway", { stream: true, provider: { only: ["primary"] } });
    expect(response.status).toBe(200);
    const { data } = readServerSentEvents(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((payload) => chatChunkSchema.parse(JSON.parse(payload)));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("one two ");
    const failure = chunks.find((chunk) => chunk.error !== undefined);
    expect(failure).toMatchObject({
      choices: [{ finish_reason: "error" }],
      error: { code: 502, metadata: { provider_name: "Primary Labs", raw: "The server had an error while processing your request.", retryable: true } },
    });
  });
});
