import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";

interface Readiness {
  status: string;
  checks: { nats: boolean; billing: boolean; routing: { ready: boolean; revision: number | null; ageMs: number | null } };
}

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

  const readiness = async () => {
    const response = await fetch(stack.baseUrl.replace("/api/v1", "/readyz"));
    return { status: response.status, body: (await response.json()) as Readiness };
  };

  it("leaves chat served from the last routing snapshot, readiness green with the snapshot's age, listings a fast 503", async () => {
    const before = await readiness();
    expect(before.status).toBe(200);
    expect(before.body.checks.routing).toMatchObject({ ready: true, revision: expect.any(Number), ageMs: expect.any(Number) });
    await stack.stopRouter();

    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "anyone there?" }] }),
    });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]?.message.content).toBe("Echo: anyone there?");
    expect(stack.primary.requests).toHaveLength(1);

    const after = await readiness();
    expect(after.status).toBe(200);
    expect(after.body.checks.routing.revision).toBe(before.body.checks.routing.revision);
    expect(after.body.checks.routing.ageMs).toBeGreaterThanOrEqual(before.body.checks.routing.ageMs ?? 0);

    // Listings are the router's to answer: without it they fail fast, never hang.
    const startedAt = performance.now();
    const models = await fetch(`${stack.baseUrl}/models`);
    expect(models.status).toBe(503);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    const body = (await models.json()) as { error: { code: number; message: string; metadata: { retryable: boolean } } };
    expect(body.error).toMatchObject({ code: 503, metadata: { retryable: true } });
    expect(body.error.message).toMatch(/router/);
  });
});
