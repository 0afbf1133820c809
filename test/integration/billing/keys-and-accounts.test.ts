import { createHash } from "node:crypto";
import {
  accountSchema,
  authenticatedKeySchema,
  createKeyReplySchema,
  SwitchboardError,
  type GatewayError,
} from "@switchboard/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { findLedgerViolations, startBillingUnderTest, type BillingUnderTest } from "./billing-test-kit.js";
import { testAdminCaller } from "../../support/test-admin-caller.js";

const accountReplySchema = z.object({ data: accountSchema });

async function gatewayErrorOf(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SwitchboardError) return error.error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("billing accounts and API keys over NATS", () => {
  let harness: BillingUnderTest;
  beforeAll(async () => {
    harness = await startBillingUnderTest();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it("creates an account, grants credits and shows balances in µ$ and USD", async () => {
    const { subjects } = harness;
    const created = await harness.request(subjects.billingCreateAccount, { name: "Acme", caller: testAdminCaller }, accountReplySchema);
    expect(created.data).toMatchObject({ name: "Acme", balance_micros: 0, reserved_micros: 0, balance_usd: "0", available_usd: "0" });
    expect(new Date(created.data.created_at).toISOString()).toBe(created.data.created_at);

    const granted = await harness.request(subjects.billingGrantCredits, { accountId: created.data.id, amountMicros: 10_500_000, caller: testAdminCaller }, accountReplySchema);
    expect(granted.data).toMatchObject({ id: created.data.id, balance_micros: 10_500_000, balance_usd: "10.5", available_usd: "10.5" });

    const shown = await harness.request(subjects.billingGetAccount, { accountId: created.data.id }, accountReplySchema);
    expect(shown.data).toEqual(granted.data);

    const ledger = await harness.database.selectFrom("ledger_entries").selectAll().where("account_id", "=", created.data.id).execute();
    expect(ledger).toMatchObject([{ kind: "grant", amount_micros: 10_500_000, generation_id: null }]);
  });

  it("answers 404 for accounts that do not exist and 400 for ids that cannot name one", async () => {
    const { subjects } = harness;
    for (const [accountId, expected] of [
      ["0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11", { code: "not_found", status: 404 }],
      ["not-a-uuid", { code: "invalid_request", status: 400 }],
      ["0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11\u0000", { code: "invalid_request", status: 400 }],
    ] as const) {
      expect(await gatewayErrorOf(harness.request(subjects.billingGetAccount, { accountId }, accountReplySchema))).toMatchObject(expected);
      expect(await gatewayErrorOf(harness.request(subjects.billingGrantCredits, { accountId, amountMicros: 1, caller: testAdminCaller }, accountReplySchema))).toMatchObject(expected);
      expect(await gatewayErrorOf(harness.request(subjects.billingCreateKey, { accountId, name: "k", caller: testAdminCaller }, createKeyReplySchema))).toMatchObject(expected);
    }
  });

  it("refuses names with control characters, which PostgreSQL could not store", async () => {
    const error = await gatewayErrorOf(harness.request(harness.subjects.billingCreateAccount, { name: "bad\u0000name", caller: testAdminCaller }, accountReplySchema));
    expect(error).toMatchObject({ code: "invalid_request", status: 400, message: "Invalid request: name: must not contain control characters (CR, LF, NUL, ...)" });
  });

  it("rejects invalid requests with 400", async () => {
    const error = await gatewayErrorOf(harness.request(harness.subjects.billingGrantCredits, { accountId: "x", amountMicros: -5, caller: testAdminCaller }, accountReplySchema));
    expect(error).toMatchObject({ code: "invalid_request", status: 400 });
  });

  it("shows a new key's secret once, stores only its SHA-256, and authenticates by hash", async () => {
    const { subjects } = harness;
    const account = await harness.request(subjects.billingCreateAccount, { name: "Keys", caller: testAdminCaller }, accountReplySchema);
    const created = await harness.request(subjects.billingCreateKey, { accountId: account.data.id, name: "ci", caller: testAdminCaller }, createKeyReplySchema);

    const secret = created.key;
    expect(secret).toMatch(/^sk-sb-v2-[0-9a-f]{72}$/);
    const hash = createHash("sha256").update(secret).digest("hex");
    const random = secret.slice("sk-sb-v2-".length);
    expect(created.data).toMatchObject({
      hash,
      name: "ci",
      label: `sk-sb-v2-${random.slice(0, 3)}...${random.slice(-3)}`,
      account_id: account.data.id,
      disabled: false,
      limit: null,
      usage: 0,
      updated_at: null,
    });
    expect(JSON.stringify(created.data)).not.toContain(random);

    // No column of any table holds the secret or its random part.
    const { rows: tables } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    `.execute(harness.database);
    expect(tables.length).toBeGreaterThan(5);
    for (const { table_name } of tables) {
      const { rows } = await sql<{ row: string }>`SELECT row_to_json(t)::text AS row FROM ${sql.table(table_name)} t`.execute(harness.database);
      for (const { row } of rows) expect(row, `table ${table_name}`).not.toContain(random.slice(6, 58));
    }

    const authenticated = await harness.request(subjects.billingAuthenticateKey, { keyHash: hash }, authenticatedKeySchema);
    expect(authenticated).toEqual({ keyId: expect.any(String), keyHash: hash, accountId: account.data.id, name: "ci", dataPolicy: { data_collection: "allow", zdr: false }, management: false, spendingLimited: false, rateLimit: null });

    // A key created with a rate limit carries it to ingress, and shows it in OpenRouter's shape.
    const limited = await harness.request(
      subjects.billingCreateKey,
      { accountId: account.data.id, name: "limited", rateLimit: { requests: 30, intervalSeconds: 60 }, caller: testAdminCaller },
      createKeyReplySchema,
    );
    expect(limited.data.rate_limit).toMatchObject({ requests: 30, interval: "1m" });
    const limitedKey = await harness.request(subjects.billingAuthenticateKey, { keyHash: limited.data.hash }, authenticatedKeySchema);
    expect(limitedKey.rateLimit).toEqual({ requests: 30, intervalSeconds: 60 });
  });

  it("refuses unknown and disabled keys with 401 without echoing the hash", async () => {
    const { subjects } = harness;
    const unknownHash = "f".repeat(64);
    const unknown = await gatewayErrorOf(harness.request(subjects.billingAuthenticateKey, { keyHash: unknownHash }, authenticatedKeySchema));
    expect(unknown).toEqual({ code: "unauthorized", status: 401, message: "Invalid API key", retryable: false });

    const account = await harness.request(subjects.billingCreateAccount, { name: "Disabled", caller: testAdminCaller }, accountReplySchema);
    const created = await harness.request(subjects.billingCreateKey, { accountId: account.data.id, name: "old", caller: testAdminCaller }, createKeyReplySchema);
    await harness.database.updateTable("api_keys").set({ disabled: true, updated_at: new Date() }).where("key_hash", "=", created.data.hash).execute();
    const disabled = await gatewayErrorOf(harness.request(subjects.billingAuthenticateKey, { keyHash: created.data.hash }, authenticatedKeySchema));
    expect(disabled).toMatchObject({ code: "unauthorized", status: 401, message: "Invalid API key" });
    expect(JSON.stringify(disabled)).not.toContain(created.data.hash);
  });

  it("keeps every balance equal to the sum of its ledger entries", async () => {
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });
});
