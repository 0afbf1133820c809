import type { NatsConnection } from "@nats-io/transport-node";
import {
  accountSchema,
  authenticatedKeySchema,
  createKeyReplySchema,
  keyChangedSchema,
  listAdminAuditReplySchema,
  SwitchboardError,
  type KeyChanged,
} from "@switchboard/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AdminKeyChangePublisher } from "../../../services/billing/src/admin/admin-key-change-publisher.js";
import { runAdminCommand } from "../../../services/billing/src/admin/run-admin-command.js";
import { createApiKey } from "../../../services/billing/src/repositories/api-keys.js";
import { testAdminCaller } from "../../support/test-admin-caller.js";
import { connectTestNats } from "../../support/test-nats.js";
import { waitFor } from "../../support/wait-for.js";
import { startBillingUnderTest, type BillingUnderTest } from "./billing-test-kit.js";

const accountReplySchema = z.object({ data: accountSchema });

/** An account's data policy (issue 9): stored, audited, sent with every key, announced for every key. */
describe("account data policy", () => {
  let billing: BillingUnderTest;
  let listener: NatsConnection;
  const heard: KeyChanged[] = [];

  beforeAll(async () => {
    billing = await startBillingUnderTest();
    listener = await connectTestNats("account-policy-listener");
    listener.subscribe(billing.subjects.keyChanged, { callback: (_error, message) => void heard.push(keyChangedSchema.parse(message.json())) });
    await listener.flush();
  });

  afterAll(async () => {
    await listener?.close();
    await billing?.stop();
  });

  async function accountWithKeys(count: number): Promise<{ accountId: string; hashes: string[] }> {
    const account = await billing.request(billing.subjects.billingCreateAccount, { name: "policy", caller: testAdminCaller }, accountReplySchema);
    const hashes: string[] = [];
    for (let index = 0; index < count; index++) {
      const created = await billing.request(billing.subjects.billingCreateKey, { accountId: account.data.id, name: `k${index}`, caller: testAdminCaller }, createKeyReplySchema);
      hashes.push(created.data.hash);
    }
    return { accountId: account.data.id, hashes };
  }

  const setPolicy = (payload: Record<string, unknown>) => billing.request(billing.subjects.billingSetAccountDataPolicy, { caller: testAdminCaller, ...payload }, accountReplySchema);
  const authenticate = (keyHash: string) => billing.request(billing.subjects.billingAuthenticateKey, { keyHash }, authenticatedKeySchema);

  it("starts open, and a new account's keys carry that", async () => {
    const { accountId, hashes } = await accountWithKeys(1);
    const account = await billing.request(billing.subjects.billingGetAccount, { accountId }, accountReplySchema);
    expect(account.data).toMatchObject({ data_collection: "allow", zdr: false });
    expect((await authenticate(hashes[0] as string)).dataPolicy).toEqual({ data_collection: "allow", zdr: false });
  });

  it("changes only the fields given, audits the change, and announces every key of the account before answering", async () => {
    const { accountId, hashes } = await accountWithKeys(2);
    const other = await accountWithKeys(1);
    // Key creations are announced too: let those arrive before listening for the policy's.
    await listener.flush();
    heard.length = 0;
    const denied = await setPolicy({ accountId, data_collection: "deny" });
    expect(denied.data).toMatchObject({ id: accountId, data_collection: "deny", zdr: false });
    await listener.flush();
    expect(heard).toEqual(expect.arrayContaining(hashes.map((keyHash) => ({ keyHash, change: "updated" }))));
    expect(heard.map((change) => change.keyHash)).not.toContain(other.hashes[0]);

    const both = await setPolicy({ accountId, zdr: true });
    expect(both.data).toMatchObject({ data_collection: "deny", zdr: true });
    for (const hash of hashes) expect((await authenticate(hash)).dataPolicy).toEqual({ data_collection: "deny", zdr: true });
    expect((await authenticate(other.hashes[0] as string)).dataPolicy).toEqual({ data_collection: "allow", zdr: false });

    const audit = await billing.request(billing.subjects.billingListAdminAudit, { limit: 10 }, listAdminAuditReplySchema);
    // Newest first, each with the policy it left the account with.
    expect(audit.data.filter((entry) => entry.account_id === accountId && entry.action === "set-account-policy").map((entry) => entry.data_policy)).toEqual([
      { data_collection: "deny", zdr: true },
      { data_collection: "deny", zdr: false },
    ]);
    expect(audit.data.find((entry) => entry.action === "create-key")?.data_policy).toBeNull();
  });

  it("announces a key whose creation committed while the policy change was committing", async () => {
    const { accountId } = await accountWithKeys(0);
    // The policy's commit waits half a second (a deferred trigger), so the key's creation can commit inside it.
    await sql`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$`.execute(billing.database);
    await sql`CREATE CONSTRAINT TRIGGER slow_commit AFTER UPDATE ON accounts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`.execute(billing.database);
    try {
      heard.length = 0;
      let commitKey: () => void = () => undefined;
      const keyCommitted = new Promise<void>((resolve) => (commitKey = resolve));
      let lateHash = "";
      const creatingKey = billing.database.transaction().execute(async (transaction) => {
        const created = await createApiKey(transaction, accountId, "late");
        lateHash = created?.record.key_hash ?? "";
        await keyCommitted;
      });
      await waitFor(async () => (lateHash === "" ? undefined : true), 5_000, "the key's insert");
      const settingPolicy = setPolicy({ accountId, data_collection: "deny" });
      await waitFor(async () => {
        const sleeping = await sql`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`.execute(billing.database);
        return sleeping.rows.length > 0 ? true : undefined;
      }, 5_000, "the policy change to be committing");
      commitKey();
      await creatingKey;
      await settingPolicy;
      await listener.flush();
      expect(heard).toContainEqual({ keyHash: lateHash, change: "updated" });
      expect((await authenticate(lateHash)).dataPolicy).toEqual({ data_collection: "deny", zdr: false });
    } finally {
      await sql`DROP TRIGGER slow_commit ON accounts; DROP FUNCTION slow_commit()`.execute(billing.database);
    }
  });

  it("refuses an unknown account with 404 and a request that sets nothing with 400, changing nothing", async () => {
    const missing = await setPolicy({ accountId: "00000000-0000-4000-8000-000000000000", zdr: true }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(SwitchboardError);
    expect((missing as SwitchboardError).error).toMatchObject({ status: 404 });
    const { accountId } = await accountWithKeys(0);
    const empty = await setPolicy({ accountId }).catch((error: unknown) => error);
    expect((empty as SwitchboardError).error).toMatchObject({ status: 400 });
    const account = await billing.request(billing.subjects.billingGetAccount, { accountId }, accountReplySchema);
    expect(account.data).toMatchObject({ data_collection: "allow", zdr: false });
  });

  it("the admin CLI sets the policy, validates its options and announces the account's keys", async () => {
    const { accountId, hashes } = await accountWithKeys(1);
    const run = async (...argv: string[]) => {
      let stdout = "";
      let stderr = "";
      const publisher = new AdminKeyChangePublisher({ connect: () => connectTestNats("admin-cli-policy"), subjects: billing.subjects, warn: (text) => (stderr += text) });
      try {
        const exitCode = await runAdminCommand(argv, { database: billing.database, keyChangePublisher: publisher, output: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) } });
        return { exitCode, stdout, stderr };
      } finally {
        await publisher.close();
      }
    };
    heard.length = 0;
    const changed = await run("set-account-policy", "--account", accountId, "--data-collection", "deny", "--zdr", "true");
    expect(changed).toMatchObject({ exitCode: 0, stderr: "" });
    expect(accountReplySchema.parse(JSON.parse(changed.stdout)).data).toMatchObject({ data_collection: "deny", zdr: true });
    await listener.flush();
    expect(heard).toContainEqual({ keyHash: hashes[0], change: "updated" });

    const wrong = await run("set-account-policy", "--account", accountId, "--zdr", "yes");
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/--zdr must be true or false/);
    expect((await run("set-account-policy", "--account", accountId)).stderr).toMatch(/give --data-collection, --zdr, or both/);
    const shown = await run("show-account", "--account", accountId);
    expect(accountReplySchema.parse(JSON.parse(shown.stdout)).data).toMatchObject({ data_collection: "deny", zdr: true });
  });
});
