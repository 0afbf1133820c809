import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";

describe("a stopped router", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key } = await stack.createFundedKey("1.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("turns requests into a fast 503 instead of a hang, and readiness goes red", async () => {
    const ready = await fetch(stack.baseUrl.replace("/api/v1", "/readyz"));
    expect(ready.status).toBe(200);
    await stack.stopRouter();
    const startedAt = performance.now();
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "anyone there?" }] }),
    });
    const elapsed = performance.now() - startedAt;
    expect(response.status).toBe(503);
    expect(elapsed).toBeLessThan(1_000);
    const body = (await response.json()) as { error: { code: number; message: string; metadata: { retryable: boolean } } };
    expect(body.error).toMatchObject({ code: 503, metadata: { retryable: true } });
    expect(body.error.message).toMatch(/router/);
    const notReady = await fetch(stack.baseUrl.replace("/api/v1", "/readyz"));
    expect(notReady.status).toBe(503);
    expect(stack.primary.requests).toHaveLength(0);
  });
});
