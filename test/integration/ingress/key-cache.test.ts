import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { createKeyReplySchema } from "@switchboard/contracts";
import { busIdentities } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminKeyChangePublisher } from "../../../services/billing/src/admin/admin-key-change-publisher.js";
import { runAdminCommand } from "../../../services/billing/src/admin/run-admin-command.js";
import { startStack, type TestStack } from "../../support/start-stack.js";

const tenMinutes = 600_000;

/**
 * Ingress keeps keys in memory for minutes and still refuses a disabled key at once, because billing
 * announces the change and every replica applies it (issue 7: auth from memory). Against real NATS and
 * PostgreSQL, with the admin CLI's code making the change as an operator would.
 */
describe("ingress key cache", () => {
  let stack: TestStack;
  let observer: NatsConnection;
  let authenticateQuestions = 0;

  beforeAll(async () => {
    stack = await startStack({ ingress: { keyCacheTtlMs: tenMinutes } });
    // A plain subscription (no queue group) sees a copy of every question ingress asks billing; on the
    // locked-down bus only billing's identity may subscribe there.
    observer = await stack.bus.connectAs(busIdentities.billing, "key-cache-observer");
    observer.subscribe(stack.subjects.billingAuthenticateKey, { callback: () => void authenticateQuestions++ });
    await observer.flush();
  });

  afterAll(async () => {
    await observer?.close();
    await stack?.stop();
  });

  const complete = (baseUrl: string, key: string) =>
    fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "hello" }] }),
    });

  async function keyHashOf(accountId: string): Promise<{ key: string; hash: string }> {
    const created = await stack.admin("POST", "/keys", { account_id: accountId, name: "cache test" });
    const reply = createKeyReplySchema.parse(created.body);
    return { key: reply.key, hash: reply.data.hash };
  }

  async function adminCommand(...argv: string[]): Promise<void> {
    const publisher = new AdminKeyChangePublisher({
      connect: () => stack.bus.connectAs(busIdentities.admin, "admin-cli"),
      subjects: stack.subjects,
      warn: (text) => {
        throw new Error(`unexpected warning: ${text}`);
      },
    });
    let stderr = "";
    try {
      const exitCode = await runAdminCommand(argv, {
        database: stack.database.database,
        keyChangePublisher: publisher,
        output: { stdout: () => undefined, stderr: (text) => (stderr += text) },
      });
      expect(exitCode, stderr).toBe(0);
    } finally {
      await publisher.close();
    }
  }

  /** Milliseconds until `baseUrl` answers `status` for the key, polling; fails after 1 s. */
  async function millisecondsUntil(baseUrl: string, key: string, status: number, since: number): Promise<number> {
    for (;;) {
      const response = await complete(baseUrl, key);
      await response.arrayBuffer();
      const elapsed = performance.now() - since;
      if (response.status === status) return elapsed;
      if (elapsed > 1_000) throw new Error(`still ${response.status}, not ${status}, after ${Math.round(elapsed)} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it("every replica refuses a disabled key well within 1 s, though it would keep it for 10 minutes, and accepts it again once enabled", async () => {
    const secondIngress = await stack.addIngress();
    const { accountId } = await stack.createFundedKey("5.00");
    const { key, hash } = await keyHashOf(accountId);
    for (const baseUrl of [stack.baseUrl, secondIngress]) expect((await complete(baseUrl, key)).status).toBe(200);

    // From memory now: no more questions to billing.
    const questionsBefore = authenticateQuestions;
    for (const baseUrl of [stack.baseUrl, secondIngress]) expect((await complete(baseUrl, key)).status).toBe(200);
    expect(authenticateQuestions).toBe(questionsBefore);

    await adminCommand("disable-key", "--hash", hash);
    const disabledAt = performance.now();
    for (const baseUrl of [stack.baseUrl, secondIngress]) {
      expect(await millisecondsUntil(baseUrl, key, 401, disabledAt)).toBeLessThan(500);
    }

    // The refusal each replica now remembers for a few seconds is dropped by the enable announcement.
    await adminCommand("enable-key", "--hash", hash);
    const enabledAt = performance.now();
    for (const baseUrl of [stack.baseUrl, secondIngress]) {
      expect(await millisecondsUntil(baseUrl, key, 200, enabledAt)).toBeLessThan(500);
    }
  });

  it("100 concurrent requests with one uncached key ask billing exactly once", async () => {
    const { accountId } = await stack.createFundedKey("1.00");
    const { key } = await keyHashOf(accountId);
    await observer.flush();
    const questionsBefore = authenticateQuestions;
    // GET /generation authenticates first, like every keyed route; an unknown id then answers 404.
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => fetch(`${stack.baseUrl}/generation?id=gen-${randomUUID()}`, { headers: { authorization: `Bearer ${key}` } })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 100 }, () => 404));
    await observer.flush();
    expect(authenticateQuestions - questionsBefore).toBe(1);
  });
});
