import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { busIdentities } from "@switchboard/messaging";
import { sql } from "kysely";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogCapture } from "../support/silent-logger.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

/** Every file under `directory`, read as latin1 so that any byte sequence survives. */
async function readFilesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  return Promise.all(files.map((file) => readFile(file, "latin1")));
}

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
    const generations = await waitFor(async () => {
      const rows = await stack.database.database.selectFrom("generations").select("id").execute();
      return rows.length === 2 ? rows : undefined;
    }, 5_000, "two generation rows");

    expect(capture.lines.length).toBeGreaterThan(0);
    const secrets = [promptCanary, completionCanary, key, key.slice("sk-sb-v2-".length)];
    const logs = capture.lines.join("\n");
    for (const secret of secrets) expect(logs).not.toContain(secret);

    const tables = [
      "providers",
      "models",
      "endpoints",
      "accounts",
      "api_keys",
      "reservations",
      "ledger_entries",
      "ledger_transactions",
      "generations",
      "settlement_anomalies",
      "connector_usage_reports",
      "logging_usage_reports",
      "billing_outbox",
    ];
    for (const table of tables) {
      const dump = await sql<{ row: unknown }>`SELECT row_to_json(t) AS row FROM ${sql.table(table)} t`.execute(stack.database.database);
      const text = JSON.stringify(dump.rows);
      for (const secret of secrets) expect(text, `table ${table}`).not.toContain(secret);
    }

    // The two completion facts, counted as ingress (which may read the stream's state). The connector's
    // usage reports stayed in its memory and were dropped once ingress's heartbeat said the facts were
    // stored (issue 10); a report that is published carries the same metadata (its schema has no text).
    const ingress = await stack.bus.connectAs(busIdentities.ingress, "privacy");
    try {
      const info = await (await jetstreamManager(ingress)).streams.info(stack.subjects.factsStream);
      expect(info.state.messages).toBe(2);
    } finally {
      await ingress.close();
    }
    // No identity may read messages out of a stream, so their bytes are read where the stack's nats-server
    // keeps them: every stream and bucket it holds. The facts carry their generation's id, so finding both
    // ids shows the messages are on disk and read (the server writes them out shortly after accepting them).
    const stored = await waitFor(async () => {
      const text = (await readFilesUnder(stack.bus.server.storeDirectory)).join("\n");
      return generations.every((generation) => text.includes(generation.id)) ? text : undefined;
    }, 5_000, "both facts in the JetStream store");
    expect(secrets.filter((secret) => stored.includes(secret)), "secrets in the JetStream store").toEqual([]);
  });
});
