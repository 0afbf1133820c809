import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, testPrices, type TestStack } from "../support/start-stack.js";

/** Routing state reaches running ingress replicas through the router's KV snapshot, not per request (issue 7). */
describe("a catalog change", () => {
  let stack: TestStack;
  let key: string;
  let secondIngress: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key } = await stack.createFundedKey("10.00"));
    secondIngress = await stack.addIngress();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const chat = (baseUrl: string, model: string) =>
    fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "which one?" }], max_tokens: 10 }),
    });

  const revisionOf = async (baseUrl: string) => {
    const response = await fetch(baseUrl.replace("/api/v1", "/readyz"));
    return ((await response.json()) as { checks: { routing: { revision: number } } }).checks.routing.revision;
  };

  /** Milliseconds until `model` is served by the ingress at `baseUrl` (a 400 "not a valid model ID" until then). */
  async function timeUntilServed(baseUrl: string, model: string, since: number): Promise<number> {
    for (;;) {
      const response = await chat(baseUrl, model);
      if (response.status === 200) return performance.now() - since;
      expect(response.status).toBe(400);
      await response.body?.cancel();
      if (performance.now() - since > 5_000) throw new Error(`${model} not served within 5 s`);
      await sleep(10);
    }
  }

  it("reaches every running ingress within a second: a new model, and a new price that changes the cheapest endpoint", async () => {
    const ingresses = [stack.baseUrl, secondIngress];
    for (const baseUrl of ingresses) expect((await chat(baseUrl, "test/echo")).status).toBe(200);
    expect(stack.primary.requests).toHaveLength(2);
    expect((await chat(stack.baseUrl, "test/new")).status).toBe(400);
    const revisionsBefore = await Promise.all(ingresses.map(revisionOf));

    // The primary provider becomes the dearer one, and a new model appears on it.
    const original = await readFile(stack.catalogPath, "utf8");
    const changed =
      original.replace(`prompt: "${testPrices.primary.prompt}", completion: "${testPrices.primary.completion}"`, `prompt: "0.00001", completion: "0.00002"`) +
      `  - id: test/new
    name: "Test: New"
    context_length: 4096
    endpoints:
      - { provider: primary, upstream_model: new-primary, pricing: { prompt: "0.000001", completion: "0.000001" } }
`;
    expect(changed).not.toBe(original);
    await writeFile(stack.catalogPath, changed);
    await stack.restartRouter();
    const publishedAt = performance.now();

    const delays = await Promise.all(ingresses.map((baseUrl) => timeUntilServed(baseUrl, "test/new", publishedAt)));
    for (const delay of delays) expect(delay).toBeLessThan(1_000);

    const backupBefore = stack.backup.requests.length;
    for (const baseUrl of ingresses) expect((await chat(baseUrl, "test/echo")).status).toBe(200);
    expect(stack.backup.requests.length - backupBefore).toBe(2);
    const revisionsAfter = await Promise.all(ingresses.map(revisionOf));
    revisionsAfter.forEach((revision, index) => expect(revision).toBeGreaterThan(revisionsBefore[index] ?? Infinity));
  });
});
