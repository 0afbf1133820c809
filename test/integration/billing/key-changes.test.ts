import type { NatsConnection } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import {
  authenticatedKeySchema,
  createAccountRequestSchema,
  createKeyReplySchema,
  keyChangedSchema,
  keyRecordSchema,
  SwitchboardError,
  type KeyChanged,
} from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AdminKeyChangePublisher } from "../../../services/billing/src/admin/admin-key-change-publisher.js";
import { runAdminCommand } from "../../../services/billing/src/admin/run-admin-command.js";
import { connectTestNats } from "../../support/test-nats.js";
import { startBillingUnderTest, type BillingUnderTest } from "./billing-test-kit.js";
import { testAdminCaller } from "../../support/test-admin-caller.js";

const keyReplySchema = z.object({ data: keyRecordSchema });

/** Billing announces every change to a key on `subjects.keyChanged` (issue 7: auth from memory). */
describe("key-changed announcements", () => {
  let billing: BillingUnderTest;
  let listener: NatsConnection;
  const heard: KeyChanged[] = [];

  beforeAll(async () => {
    billing = await startBillingUnderTest();
    listener = await connectTestNats("key-changes-listener");
    listener.subscribe(billing.subjects.keyChanged, { callback: (_error, message) => void heard.push(keyChangedSchema.parse(message.json())) });
    await listener.flush();
  });

  afterAll(async () => {
    await listener?.close();
    await billing?.stop();
  });

  async function createKey(): Promise<{ hash: string }> {
    const account = await billing.request(billing.subjects.billingCreateAccount, createAccountRequestSchema.parse({ name: "keys", caller: testAdminCaller }), z.object({ data: z.object({ id: z.string() }) }));
    const created = await billing.request(billing.subjects.billingCreateKey, { accountId: account.data.id, name: "k", caller: testAdminCaller }, createKeyReplySchema);
    return { hash: created.data.hash };
  }

  async function admin(publisher: AdminKeyChangePublisher, ...argv: string[]) {
    let stdout = "";
    let stderr = "";
    try {
      const exitCode = await runAdminCommand(argv, {
        database: billing.database,
        keyChangePublisher: publisher,
        output: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
      });
      return { exitCode, stdout, stderr };
    } finally {
      await publisher.close();
    }
  }

  const reachablePublisher = (warnings: string[] = []) =>
    new AdminKeyChangePublisher({ connect: () => connectTestNats("admin-cli-test"), subjects: billing.subjects, warn: (text) => warnings.push(text) });

  const authenticate = (keyHash: string) => billing.request(billing.subjects.billingAuthenticateKey, { keyHash }, authenticatedKeySchema);

  it("announces a key's creation before answering", async () => {
    const { hash } = await createKey();
    await listener.flush();
    expect(heard).toContainEqual({ keyHash: hash, change: "created" });
  });

  it("the admin CLI disables and enables a key, announcing each change before it returns", async () => {
    const { hash } = await createKey();
    const warnings: string[] = [];
    const disabled = await admin(reachablePublisher(warnings), "disable-key", "--hash", hash);
    expect(disabled).toMatchObject({ exitCode: 0, stderr: "" });
    expect(keyReplySchema.parse(JSON.parse(disabled.stdout)).data).toMatchObject({ hash, disabled: true });
    await listener.flush();
    expect(heard).toContainEqual({ keyHash: hash, change: "disabled" });
    await expect(authenticate(hash)).rejects.toMatchObject({ error: { status: 401 } });

    const enabled = await admin(reachablePublisher(warnings), "enable-key", "--hash", hash);
    expect(enabled.exitCode).toBe(0);
    expect(keyReplySchema.parse(JSON.parse(enabled.stdout)).data).toMatchObject({ hash, disabled: false });
    await listener.flush();
    expect(heard).toContainEqual({ keyHash: hash, change: "enabled" });
    await expect(authenticate(hash)).resolves.toMatchObject({ keyHash: hash });
    expect(warnings).toEqual([]);
  });

  it("answers 404 for a hash that names no key, and announces nothing", async () => {
    const before = heard.length;
    for (const hash of ["f".repeat(64), "not-a-hash"]) {
      const result = await admin(reachablePublisher(), "disable-key", "--hash", hash);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/Key .* not found/);
    }
    await listener.flush();
    expect(heard.length).toBe(before);
  });

  it("without NATS still makes the change, and says ingresses keep the old data until their TTL and how to apply it now", async () => {
    const { hash } = await createKey();
    const warnings: string[] = [];
    const publisher = new AdminKeyChangePublisher({
      connect: () => connect({ servers: "nats://127.0.0.1:1", timeout: 500, maxReconnectAttempts: 0 }),
      subjects: billing.subjects,
      warn: (text) => warnings.push(text),
    });
    const result = await admin(publisher, "disable-key", "--hash", hash);
    expect(result.exitCode).toBe(0);
    expect(keyReplySchema.parse(JSON.parse(result.stdout)).data.disabled).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(hash);
    expect(warnings[0]).toMatch(/keep using the key's old data until their key cache expires \(KEY_CACHE_TTL_MS/);
    expect(warnings[0]).toMatch(/run the same command again once NATS is reachable.*or restart the ingresses/);
    await expect(authenticate(hash)).rejects.toBeInstanceOf(SwitchboardError);
  });
});
