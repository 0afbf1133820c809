import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  accountSchema,
  authenticatedKeySchema,
  createKeyReplySchema,
  creditsReplySchema,
  currentKeyReplySchema,
  deleteKeyReplySchema,
  keyChangedSchema,
  keyReplySchema,
  listAdminAuditReplySchema,
  listKeysReplySchema,
  reserveReplySchema,
  type KeyChanged,
} from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { testAdminCaller } from "../../support/test-admin-caller.js";
import { connectTestNats } from "../../support/test-nats.js";
import { completedFact, publishFact, startBillingUnderTest, waitFor, type BillingUnderTest } from "./billing-test-kit.js";
import { runAdminForTest } from "./run-admin-for-test.js";

const accountReplySchema = z.object({ data: accountSchema });

// Issue 10: OpenRouter's key-management API as billing answers it (ingress only checks the admin key and
// forwards; test/e2e/key-management.test.ts covers the HTTP side).
describe("key management in billing", () => {
  let billing: BillingUnderTest;
  let listener: NatsConnection;
  const heard: KeyChanged[] = [];

  beforeAll(async () => {
    billing = await startBillingUnderTest();
    listener = await connectTestNats("key-management-listener");
    listener.subscribe(billing.subjects.keyChanged, { callback: (_error, message) => void heard.push(keyChangedSchema.parse(message.json())) });
    await listener.flush();
  });

  afterAll(async () => {
    await listener?.close();
    await billing?.stop();
  });

  const request = <Schema extends z.ZodType>(subject: string, payload: unknown, schema: Schema) => billing.request(subject, payload, schema);
  const createAccount = async (name = "keys") =>
    (await request(billing.subjects.billingCreateAccount, { name, caller: testAdminCaller }, accountReplySchema)).data.id;
  const createKey = (accountId: string, name: string) =>
    request(billing.subjects.billingCreateKey, { accountId, name, caller: testAdminCaller }, createKeyReplySchema);
  const listKeys = (accountId: string, includeDisabled = false, offset = 0) =>
    request(billing.subjects.billingListKeys, { accountId, includeDisabled, offset }, listKeysReplySchema);
  const authenticate = (keyHash: string) => request(billing.subjects.billingAuthenticateKey, { keyHash }, authenticatedKeySchema);
  const auditOf = async (accountId: string) =>
    (await request(billing.subjects.billingListAdminAudit, { limit: 500 }, listAdminAuditReplySchema)).data.filter((entry) => entry.account_id === accountId);

  it("lists, gets, renames, disables and deletes a key, auditing and announcing each change", async () => {
    const accountId = await createAccount();
    const first = await createKey(accountId, "first");
    const second = await createKey(accountId, "second");

    const listed = await listKeys(accountId);
    expect(listed.data.map((key) => key.hash)).toEqual([first.data.hash, second.data.hash]);
    expect(listed.data[0]).toMatchObject({ name: "first", label: first.data.label, disabled: false, limit: null, usage: 0, usage_daily: 0 });
    expect(JSON.stringify(listed)).not.toContain(first.key);
    expect((await request(billing.subjects.billingGetKey, { keyHash: second.data.hash }, keyReplySchema)).data).toEqual(listed.data[1]);

    const renamed = await request(billing.subjects.billingUpdateKey, { keyHash: first.data.hash, name: "renamed", caller: testAdminCaller }, keyReplySchema);
    expect(renamed.data).toMatchObject({ hash: first.data.hash, name: "renamed", disabled: false, updated_at: expect.any(String) });
    const disabled = await request(billing.subjects.billingUpdateKey, { keyHash: first.data.hash, disabled: true, caller: testAdminCaller }, keyReplySchema);
    expect(disabled.data).toMatchObject({ name: "renamed", disabled: true });
    await expect(authenticate(first.data.hash)).rejects.toMatchObject({ error: { status: 401 } });
    // OpenRouter's default leaves disabled keys out of the listing.
    expect((await listKeys(accountId)).data.map((key) => key.hash)).toEqual([second.data.hash]);
    expect((await listKeys(accountId, true)).data.map((key) => key.hash)).toEqual([first.data.hash, second.data.hash]);

    expect(await request(billing.subjects.billingDeleteKey, { keyHash: second.data.hash, caller: testAdminCaller }, deleteKeyReplySchema)).toEqual({ deleted: true });
    await expect(authenticate(second.data.hash)).rejects.toMatchObject({ error: { status: 401, message: "Invalid API key" } });
    expect((await listKeys(accountId, true)).data.map((key) => key.hash)).toEqual([first.data.hash]);
    // A deleted key is gone for every operation, and the row stays for history.
    for (const [subject, payload] of [
      [billing.subjects.billingGetKey, { keyHash: second.data.hash }],
      [billing.subjects.billingUpdateKey, { keyHash: second.data.hash, disabled: false, caller: testAdminCaller }],
      [billing.subjects.billingDeleteKey, { keyHash: second.data.hash, caller: testAdminCaller }],
    ] as const) {
      await expect(request(subject, payload, z.unknown())).rejects.toMatchObject({ error: { status: 404 } });
    }
    const row = await billing.database.selectFrom("api_keys").selectAll().where("key_hash", "=", second.data.hash).executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeInstanceOf(Date);

    await listener.flush();
    expect(heard).toEqual(
      expect.arrayContaining([
        { keyHash: first.data.hash, change: "updated" },
        { keyHash: first.data.hash, change: "disabled" },
        { keyHash: second.data.hash, change: "deleted" },
      ]),
    );
    expect((await auditOf(accountId)).map((entry) => [entry.action, entry.key_hash])).toEqual([
      ["delete-key", second.data.hash],
      ["disable-key", first.data.hash],
      ["rename-key", first.data.hash],
      ["create-key", second.data.hash],
      ["create-key", first.data.hash],
      ["create-account", null],
    ]);
  });

  it("a management key: created by the admin, authenticated as one, confined to its account's keys by accountId", async () => {
    const accountId = await createAccount("managed");
    const otherAccountId = await createAccount("other");
    const manager = await request(billing.subjects.billingCreateKey, { accountId, name: "manager", management: true, caller: testAdminCaller }, createKeyReplySchema);
    expect(manager.data).toMatchObject({ name: "manager", account_id: accountId, management: true, disabled: false });
    expect(await authenticate(manager.data.hash)).toMatchObject({ accountId, management: true });
    const figures = await request(billing.subjects.billingGetCurrentKey, { keyHash: manager.data.hash }, currentKeyReplySchema);
    expect(figures.data).toMatchObject({ is_management_key: true, is_provisioning_key: false });

    const managerCaller = { ...testAdminCaller, actor: `management-key:${manager.data.hash}` };
    const own = await request(billing.subjects.billingCreateKey, { accountId, name: "inference", caller: managerCaller }, createKeyReplySchema);
    expect(own.data.management).toBe(false);
    expect(await authenticate(own.data.hash)).toMatchObject({ accountId, management: false });
    const foreign = await createKey(otherAccountId, "not yours");

    // Another account's key is not found, as if unknown, and stays as it was.
    for (const [subject, payload] of [
      [billing.subjects.billingGetKey, { keyHash: foreign.data.hash, accountId }],
      [billing.subjects.billingUpdateKey, { keyHash: foreign.data.hash, accountId, disabled: true, caller: managerCaller }],
      [billing.subjects.billingUpdateKey, { keyHash: foreign.data.hash, accountId, name: "taken", caller: managerCaller }],
      [billing.subjects.billingDeleteKey, { keyHash: foreign.data.hash, accountId, caller: managerCaller }],
    ] as const) {
      await expect(request(subject, payload, z.unknown())).rejects.toMatchObject({ error: { status: 404 } });
    }
    expect((await request(billing.subjects.billingGetKey, { keyHash: foreign.data.hash }, keyReplySchema)).data).toMatchObject({ name: "not yours", disabled: false });
    expect(await authenticate(foreign.data.hash)).toMatchObject({ accountId: otherAccountId });

    // Its own account's keys it gets, changes and deletes.
    expect((await request(billing.subjects.billingGetKey, { keyHash: own.data.hash, accountId }, keyReplySchema)).data.hash).toBe(own.data.hash);
    const disabled = await request(billing.subjects.billingUpdateKey, { keyHash: own.data.hash, accountId, disabled: true, caller: managerCaller }, keyReplySchema);
    expect(disabled.data).toMatchObject({ disabled: true, management: false });
    await expect(authenticate(own.data.hash)).rejects.toMatchObject({ error: { status: 401 } });
    expect(await request(billing.subjects.billingDeleteKey, { keyHash: own.data.hash, accountId, caller: managerCaller }, deleteKeyReplySchema)).toEqual({ deleted: true });

    expect((await auditOf(accountId)).map((entry) => [entry.action, entry.key_hash, entry.actor])).toEqual([
      ["delete-key", own.data.hash, managerCaller.actor],
      ["disable-key", own.data.hash, managerCaller.actor],
      ["create-key", own.data.hash, managerCaller.actor],
      ["create-management-key", manager.data.hash, testAdminCaller.actor],
      ["create-account", null, testAdminCaller.actor],
    ]);
    expect((await auditOf(otherAccountId)).map((entry) => entry.action)).toEqual(["create-key", "create-account"]);
  });

  it("answers 404 for an unknown key or account, 400 for a malformed hash or an update that changes nothing", async () => {
    const unknownHash = "f".repeat(64);
    await expect(request(billing.subjects.billingGetKey, { keyHash: unknownHash }, keyReplySchema)).rejects.toMatchObject({ error: { status: 404 } });
    await expect(listKeys(randomUUID())).rejects.toMatchObject({ error: { status: 404 } });
    await expect(request(billing.subjects.billingGetKey, { keyHash: "not-a-hash" }, keyReplySchema)).rejects.toMatchObject({ error: { status: 400 } });
    const accountId = await createAccount();
    const key = await createKey(accountId, "k");
    await expect(request(billing.subjects.billingUpdateKey, { keyHash: key.data.hash, caller: testAdminCaller }, keyReplySchema)).rejects.toMatchObject({
      error: { status: 400 },
    });
    // Refused changes are neither made nor audited.
    expect((await auditOf(accountId)).map((entry) => entry.action)).toEqual(["create-key", "create-account"]);
  });

  it("GET /key and GET /credits figures: usage is what billing charged the key, credits what the ledger holds", async () => {
    const accountId = await createAccount("figures");
    const key = await createKey(accountId, "spender");
    const other = await createKey(accountId, "other");
    const currentKey = () => request(billing.subjects.billingGetCurrentKey, { keyHash: key.data.hash }, currentKeyReplySchema);
    const credits = () => request(billing.subjects.billingGetCredits, { accountId }, creditsReplySchema);

    expect((await currentKey()).data).toMatchObject({ label: key.data.label, usage: 0, is_free_tier: true, limit: null, limit_remaining: null });
    expect(await credits()).toEqual({ data: { total_credits: 0, total_usage: 0 } });

    await request(billing.subjects.billingGrantCredits, { accountId, amountMicros: 2_000_000, caller: testAdminCaller }, accountReplySchema);
    const { keyId } = await authenticate(key.data.hash);
    const { keyId: otherKeyId } = await authenticate(other.data.hash);
    const generations = [
      { generationId: `gen-${randomUUID()}`, keyId },
      { generationId: `gen-${randomUUID()}`, keyId },
      { generationId: `gen-${randomUUID()}`, keyId: otherKeyId },
    ];
    for (const generation of generations) {
      await request(billing.subjects.billingReserve, { ...generation, accountId, amountMicros: 5_000 }, reserveReplySchema);
      await publishFact(billing.connection, billing.subjects, completedFact({ ...generation, accountId }));
    }
    const charged = async () => {
      const rows = await billing.database.selectFrom("reservations").select(["key_id", "charged_micros"]).where("account_id", "=", accountId).execute();
      return rows.every((row) => row.charged_micros !== null) ? rows : undefined;
    };
    await waitFor(async () => (await charged()) !== undefined);
    const rows = (await charged()) ?? [];
    const chargedToKey = rows.filter((row) => row.key_id === keyId).reduce((sum, row) => sum + (row.charged_micros ?? 0), 0);
    const chargedToAccount = rows.reduce((sum, row) => sum + (row.charged_micros ?? 0), 0);
    expect(chargedToKey).toBe(1_500);

    const figures = (await currentKey()).data;
    expect(figures).toMatchObject({ usage: chargedToKey / 1e6, usage_daily: chargedToKey / 1e6, usage_monthly: chargedToKey / 1e6, is_free_tier: false });
    expect(figures.rate_limit).toEqual({ requests: -1, interval: "10s", note: "No rate limit applies to this key." });
    expect(await credits()).toEqual({ data: { total_credits: 2, total_usage: chargedToAccount / 1e6 } });

    // A key deleted since ingress authenticated it gets the 401 an unknown key gets.
    await request(billing.subjects.billingDeleteKey, { keyHash: key.data.hash, caller: testAdminCaller }, deleteKeyReplySchema);
    await expect(currentKey()).rejects.toMatchObject({ error: { status: 401 } });
  });

  it("npm run admin delete-key deletes a key and audits it; a second time, or a malformed hash, is not found", async () => {
    const accountId = await createAccount("cli");
    const key = await createKey(accountId, "k");
    const deleted = await runAdminForTest(billing.database, ["delete-key", "--hash", key.data.hash]);
    expect(deleted).toMatchObject({ exitCode: 0, stderr: "" });
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted: true });
    await expect(authenticate(key.data.hash)).rejects.toMatchObject({ error: { status: 401 } });
    for (const hash of [key.data.hash, "not-a-hash"]) {
      const again = await runAdminForTest(billing.database, ["delete-key", "--hash", hash]);
      expect(again.exitCode).toBe(1);
      expect(again.stderr).toMatch(/Key .* not found/);
    }
    expect((await auditOf(accountId))[0]).toMatchObject({ action: "delete-key", key_hash: key.data.hash, actor: expect.stringMatching(/^cli:/) });
  });
});
