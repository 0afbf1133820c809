import { userInfo } from "node:os";
import { accountSchema, createKeyReplySchema, listAdminAuditReplySchema, type AdminCaller } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { runAdminForTest } from "./run-admin-for-test.js";

const accountReplySchema = z.object({ data: accountSchema });

// Issue 8: every admin operation that changes money or keys writes an audit row naming its caller, in
// the same transaction as the change. This file covers the CLI path (`cli:<os user>`); the HTTP path
// (`admin-key:<fingerprint>`, through ingress) is test/e2e/admin-records.test.ts.
describe("the admin audit, through npm run admin", () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  const admin = (argv: string[], caller?: AdminCaller) => runAdminForTest(testDatabase.database, argv, caller);

  it("records each change as cli:<os user> with its account, key and amount, and lists them newest first", async () => {
    const account = accountReplySchema.parse(JSON.parse((await admin(["create-account", "--name", "Audited"])).stdout)).data;
    expect((await admin(["grant-credits", "--account", account.id, "--amount-usd", "2.5"])).exitCode).toBe(0);
    const created = createKeyReplySchema.parse(JSON.parse((await admin(["create-key", "--account", account.id, "--name", "k"])).stdout));
    expect((await admin(["disable-key", "--hash", created.data.hash])).exitCode).toBe(0);
    expect((await admin(["enable-key", "--hash", created.data.hash])).exitCode).toBe(0);
    // Reads are not audited.
    expect((await admin(["show-account", "--account", account.id])).exitCode).toBe(0);

    const listing = await admin(["list-audit", "--limit", "10"]);
    expect(listing).toMatchObject({ exitCode: 0, stderr: "" });
    const entries = listAdminAuditReplySchema.parse(JSON.parse(listing.stdout)).data.filter((entry) => entry.account_id === account.id);
    const actor = `cli:${userInfo().username}`;
    const common = { actor, client_address: null, request_id: null, account_id: account.id };
    expect(entries).toMatchObject([
      { ...common, action: "enable-key", key_hash: created.data.hash, amount_micros: null },
      { ...common, action: "disable-key", key_hash: created.data.hash, amount_micros: null },
      { ...common, action: "create-key", key_hash: created.data.hash, amount_micros: null },
      { ...common, action: "grant-credits", key_hash: null, amount_micros: 2_500_000 },
      { ...common, action: "create-account", key_hash: null, amount_micros: null },
    ]);
    // Never a secret: the key is named by its hash only.
    expect(listing.stdout).not.toContain(created.key);
    expect(JSON.parse((await admin(["list-audit", "--limit", "2"])).stdout).data).toHaveLength(2);
    expect((await admin(["list-audit", "--limit", "0"])).stderr).toMatch(/--limit must be a whole number from 1 to 500/);
  });

  it("writes the change and its audit row in one transaction: neither commits without the other", async () => {
    const countAudit = async () => Number((await testDatabase.database.selectFrom("admin_audit").select((expression) => expression.fn.countAll<string>().as("count")).executeTakeFirstOrThrow()).count);
    const auditedBefore = await countAudit();
    // PostgreSQL text cannot hold NUL, so this caller's audit row fails, and the account must not exist.
    const refused = await admin(["create-account", "--name", "Never audited"], { actor: "cli:\u0000", clientAddress: null, requestId: null });
    expect(refused.exitCode).toBe(1);
    expect(await testDatabase.database.selectFrom("accounts").select("id").where("name", "=", "Never audited").execute()).toEqual([]);
    // A refused operation (no such account) changes nothing and is not audited.
    expect((await admin(["grant-credits", "--account", "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11", "--amount-usd", "5"])).exitCode).toBe(1);
    expect(await countAudit()).toBe(auditedBefore);
  });
});
