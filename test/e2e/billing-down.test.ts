import { afterEach, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";

interface ErrorBody {
  error: { code: number; message: string; metadata?: { retryable?: boolean } };
}

/**
 * Billing is needed on the request path only for what ingress cannot decide from memory: a key it has
 * not seen (or whose cache entry expired) and credit no lease covers. Then a stopped billing must cost
 * the client a fast, retryable 503 naming billing, never a hang (issue 7 acceptance).
 */
describe("billing stopped", () => {
  let stack: TestStack | undefined;

  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  const complete = async (baseUrl: string, key: string) => {
    const startedAt = performance.now();
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "is billing there?" }] }),
    });
    return { status: response.status, body: (await response.json()) as ErrorBody, elapsedMs: performance.now() - startedAt };
  };

  it("answers a key ingress has not seen with a retryable 503 within 1 s", async () => {
    stack = await startStack();
    const { key } = await stack.createFundedKey("1.00");
    await stack.stopBilling();
    // A second ingress replica has never authenticated this key: it must ask billing.
    const freshIngress = await stack.addIngress();

    const answer = await complete(freshIngress, key);
    expect(answer.status).toBe(503);
    expect(answer.elapsedMs).toBeLessThan(1_000);
    expect(answer.body.error).toMatchObject({ code: 503, metadata: { retryable: true } });
    expect(answer.body.error.message).toMatch(/billing/);
    expect(stack.primary.requests).toHaveLength(0);
  });

  it("answers a known key whose credit needs an exact reservation with a retryable 503 within 1 s, calling no provider", async () => {
    stack = await startStack({ ingress: { creditLeases: null, keyCacheTtlMs: 60_000 } });
    const { key } = await stack.createFundedKey("1.00");
    const served = await complete(stack.baseUrl, key);
    expect(served.status).toBe(200);
    await stack.stopBilling();

    const answer = await complete(stack.baseUrl, key);
    expect(answer.status).toBe(503);
    expect(answer.elapsedMs).toBeLessThan(1_000);
    expect(answer.body.error).toMatchObject({ code: 503, metadata: { retryable: true } });
    expect(answer.body.error.message).toMatch(/billing/);
    expect(stack.primary.requests).toHaveLength(1);
  });
});
