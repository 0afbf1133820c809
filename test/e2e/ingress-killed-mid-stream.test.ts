import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLockedDownNatsServer } from "../support/locked-down-nats-server.js";
import type { PrivateNatsServer } from "../support/private-nats-server.js";
import { processStackModel, processStackNamespace, startProcessStack, type ProcessStack } from "../support/process-stack.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { waitFor } from "../support/wait-for.js";

// Issue 10 acceptance, measured before as "ingress killed with 80 generations in flight: the provider
// finished all 80, 0 were charged or recorded". Here an ingress is killed with SIGKILL while 50 streams are
// under way: the connector notices the silence and stops the upstream calls, and every generation is
// charged once and recorded once from the connector's usage reports. Services run as processes, as deployed.

const generations = 50;
// Two of ingress's one-second heartbeats: the least the connector accepts.
const ingressSilenceMs = 2_000;
const graceSeconds = 2;

describe("an ingress killed with streams in flight", () => {
  let directory = "";
  let nats: PrivateNatsServer | undefined;
  let database: TestDatabase | undefined;
  let stack: ProcessStack | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-ingress-kill-"));
    const lockedDown = await createLockedDownNatsServer({ directory, namespace: processStackNamespace });
    nats = lockedDown.server;
    await nats.start();
    database = await createTestDatabase();
    stack = await startProcessStack({
      natsUrl: nats.url,
      databaseUrl: database.connectionString,
      directory,
      busSeedFiles: lockedDown.seedFiles,
      environment: { INGRESS_SILENCE_MS: String(ingressSilenceMs), USAGE_REPORT_GRACE_SECONDS: String(graceSeconds) },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.kill();
    await nats?.stop();
    await database?.drop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  /** Starts a stream and resolves with its generation id once its first chunk arrived; the body stays open. */
  async function startStream(key: string, index: number): Promise<string> {
    const response = await fetch(`${stack?.origin}/api/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: processStackModel, stream: true, messages: [{ role: "user", content: `long story ${index}` }] }),
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ${index} ended before its first chunk`);
      text += decoder.decode(value, { stream: true });
      const match = /"id":"(gen-[0-9a-f-]+)"/.exec(text);
      if (match?.[1]) {
        // Keep reading (and ignore the end): cancelling the body would cancel the generation.
        void (async () => {
          for (;;) if ((await reader.read()).done) return;
        })().catch(() => undefined);
        return match[1];
      }
    }
  }

  it("charges and records every generation once, and the connector stops the upstream calls", async () => {
    if (!stack || !database) throw new Error("stack not started");
    const funded = await stack.createFundedKey("100.00");
    // Each answer takes about 12 s: far longer than the test takes to kill ingress after the first chunks.
    stack.upstream.addRule(/^long story/, { text: Array.from({ length: 400 }, (_, index) => `word${index}`).join(" "), delayBetweenChunksMs: 30 });
    const generationIds = await Promise.all(Array.from({ length: generations }, (_, index) => startStream(funded.key, index)));
    expect(new Set(generationIds).size).toBe(generations);

    const ingress = stack.services.find((service) => service.name === "ingress");
    if (!ingress) throw new Error("no ingress process");
    const killedAt = Date.now();
    ingress.kill("SIGKILL");
    await ingress.exited;

    // The connector stops every upstream call within a few seconds of the last heartbeat.
    const upstreamCalls = () => stack?.upstream.requests.filter((request) => JSON.stringify(request.body["messages"]).includes("long story")) ?? [];
    await waitFor(async () => (upstreamCalls().length === generations && upstreamCalls().every((request) => request.closedAt !== undefined) ? true : undefined), 15_000, "every upstream call closed");
    for (const request of upstreamCalls()) {
      expect(request.completed).toBe(false);
      expect(request.closedAt! - killedAt).toBeLessThan(ingressSilenceMs + 3_000);
    }

    // Every generation is charged once and recorded once, from the connector's usage reports.
    const accounts = database.database;
    const charges = await waitFor(
      async () => {
        const rows = await accounts.selectFrom("ledger_entries").select(["generation_id", "amount_micros"]).where("generation_id", "in", generationIds).where("kind", "=", "charge").execute();
        return rows.length >= generations ? rows : undefined;
      },
      30_000,
      "every generation charged",
    );
    expect(charges).toHaveLength(generations);
    expect(new Set(charges.map((row) => row.generation_id)).size).toBe(generations);
    for (const charge of charges) expect(charge.amount_micros).toBeLessThan(0);
    const records = await waitFor(
      async () => {
        const rows = await accounts.selectFrom("generations").select(["id", "status", "cost_micros"]).where("id", "in", generationIds).execute();
        return rows.length >= generations ? rows : undefined;
      },
      30_000,
      "every generation recorded",
    );
    expect(records).toHaveLength(generations);
    for (const record of records) expect(record.status).toBe("abandoned");
    // The record's cost is the charge.
    const chargeOf = new Map(charges.map((row) => [row.generation_id, -row.amount_micros]));
    for (const record of records) expect(record.cost_micros).toBe(chargeOf.get(record.id));

    // Every hold is resolved: reservations settled (no pending credit held), lease holds consumed.
    const reservations = await accounts.selectFrom("reservations").select(["generation_id", "status"]).where("generation_id", "in", generationIds).execute();
    expect(reservations).toHaveLength(generations);
    for (const reservation of reservations) expect(reservation.status).toBe("settled");
    const account = await accounts.selectFrom("accounts").selectAll().where("id", "=", funded.accountId).executeTakeFirstOrThrow();
    expect(account.reserved_micros).toBe(0);
    const ledger = await accounts
      .selectFrom("ledger_entries")
      .select((expression) => expression.fn.coalesce(expression.fn.sum<number>("amount_micros"), expression.lit(0)).as("total"))
      .where("account_id", "=", funded.accountId)
      .executeTakeFirstOrThrow();
    expect(account.balance_micros).toBe(Number(ledger.total));
  }, 90_000);
});
