import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/**
 * A parameter the endpoint does not list in its catalog `supported_parameters` is dropped and named in a
 * warning on the generation record, never sent (issue 11). The stack's primary endpoint lists no `seed`,
 * which the OpenAI adapter would otherwise forward.
 */
describe("parameters an endpoint does not support (issue 11)", () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    ({ key } = await stack.createFundedKey("5.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("drops a parameter the endpoint does not list, sends the ones it lists, and names the dropped one on the record", async () => {
    stack.primary.addRule("seeded please", { text: "fine" });
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", provider: { order: ["primary"] }, messages: [{ role: "user", content: "seeded please" }], seed: 42, temperature: 0.3 }),
    });
    expect(response.status).toBe(200);
    const seen = stack.primary.requests.at(-1)!.body;
    expect(seen).not.toHaveProperty("seed");
    expect(seen).toMatchObject({ temperature: 0.3 });
    const generationId = response.headers.get("x-generation-id")!;
    const row = await waitFor(() => stack.database.database.selectFrom("generations").select("attempts").where("id", "=", generationId).executeTakeFirst(), 5_000, "generation row");
    expect(row.attempts).toEqual([expect.objectContaining({ status: 200, droppedParameters: ["seed"] })]);
  });

  it("does not serve the request from that endpoint when it requires its parameters", async () => {
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", provider: { only: ["primary"], require_parameters: true }, messages: [{ role: "user", content: "seeded strictly" }], seed: 42 }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(stack.primary.requests.some((request) => JSON.stringify(request.body).includes("seeded strictly"))).toBe(false);
  });
});
