import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServerSentEvents } from "../support/read-server-sent-events.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/**
 * Issue 8: with the bus locked down (each service its own nkey identity with least-privilege permissions),
 * the whole path still works: key authentication, credit, routing snapshot, connector, facts to billing
 * and metadata-logging, and the server refuses nothing the services do.
 */
describe("a stack whose services connect as their own bus identities", () => {
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

  const complete = (content: string, stream: boolean) =>
    fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", stream, messages: [{ role: "user", content }] }),
    });

  it("serves a completion and a stream, settles both, and the server refuses nothing", async () => {
    stack.primary.addRule("locked down", { text: "still answering", usage: { prompt_tokens: 10, completion_tokens: 5 } });
    const completion = await complete("locked down", false);
    expect(completion.status).toBe(200);
    const body = (await completion.json()) as { id: string; choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe("still answering");

    const streamed = await complete("locked down", true);
    expect(streamed.status).toBe(200);
    const { data } = readServerSentEvents(await streamed.text());
    expect(data.at(-1)).toBe("[DONE]");

    // Billing settled both facts (nothing still held, the balance charged), metadata-logging recorded both.
    await waitFor(async () => {
      const account = (await stack.admin("GET", `/admin/accounts/${accountId}`)).body as { data: { balance_usd: string; available_usd: string } };
      const settled = Number(account.data.balance_usd) < 10 && account.data.available_usd === account.data.balance_usd;
      return settled && (await countRecorded()) === 2 ? true : undefined;
    }, 10_000, "both generations settled and recorded");
    const generation = await waitFor(async () => {
      const response = await fetch(`${stack.baseUrl}/generation?id=${body.id}`, { headers: { authorization: `Bearer ${key}` } });
      return response.status === 200 ? response : undefined;
    }, 10_000, "the generation record");
    expect(generation.status).toBe(200);

    expect(await stack.bus.permissionViolations()).toEqual([]);
  });

  async function countRecorded(): Promise<number> {
    const rows = await stack.database.database.selectFrom("generations").select("id").execute();
    return rows.length;
  }
});
