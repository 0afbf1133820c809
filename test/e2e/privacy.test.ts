import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { sql } from "kysely";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogCapture } from "../support/silent-logger.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { testNatsUrl } from "../support/test-nats.js";
import { waitFor } from "../support/wait-for.js";

/** Content logging is off by default: prompt, completion and key appear in no log, table or stream. */
describe("privacy by default", () => {
  const capture: LogCapture = { lines: [] };
  let stack: TestStack;
  let key: string;
  const promptCanary = "PROMPT-CANARY-7f3a9c";
  const completionCanary = "COMPLETION-CANARY-2b8e41";

  beforeAll(async () => {
    stack = await startStack({ logCapture: capture });
    ({ key } = await stack.createFundedKey("1.00"));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("keeps prompt text, completion text and API keys out of logs, PostgreSQL and JetStream", async () => {
    stack.primary.addRule(new RegExp(promptCanary), { text: `here is ${completionCanary}` });
    const client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: `secret ${promptCanary}` }];
    const completion = await client.chat.completions.create({ model: "test/echo", messages });
    expect(completion.choices[0]?.message.content).toContain(completionCanary);
    for await (const chunk of await client.chat.completions.create({ model: "test/echo", messages, stream: true })) void chunk;
    await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "nobody/unknown", messages }),
    });
    await waitFor(async () => {
      const rows = await stack.database.database.selectFrom("generations").select("id").execute();
      return rows.length === 2 ? rows : undefined;
    }, 5_000, "two generation rows");

    expect(capture.lines.length).toBeGreaterThan(0);
    const secrets = [promptCanary, completionCanary, key, key.slice("sk-sb-v1-".length)];
    const logs = capture.lines.join("\n");
    for (const secret of secrets) expect(logs).not.toContain(secret);

    const tables = ["providers", "models", "endpoints", "accounts", "api_keys", "reservations", "ledger_entries", "generations"];
    for (const table of tables) {
      const dump = await sql<{ row: unknown }>`SELECT row_to_json(t) AS row FROM ${sql.table(table)} t`.execute(stack.database.database);
      const text = JSON.stringify(dump.rows);
      for (const secret of secrets) expect(text, `table ${table}`).not.toContain(secret);
    }

    const connection = await connect({ servers: testNatsUrl });
    try {
      const manager = await jetstreamManager(connection);
      const info = await manager.streams.info(stack.subjects.factsStream);
      expect(info.state.messages).toBe(2);
      for (let sequence = info.state.first_seq; sequence <= info.state.last_seq; sequence++) {
        const message = await manager.streams.getMessage(stack.subjects.factsStream, { seq: sequence });
        const text = message ? new TextDecoder().decode(message.data) : "";
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    } finally {
      await connection.close();
    }
  });
});
