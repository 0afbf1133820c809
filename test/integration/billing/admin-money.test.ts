import { randomUUID } from "node:crypto";
import {
  accountSchema,
  accountStatementReplySchema,
  creditsReplySchema,
  listAccountsReplySchema,
  listAdminAuditReplySchema,
  reconcileLedgerReplySchema,
  SwitchboardError,
  type GatewayError,
} from "@switchboard/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { reserve } from "../../../services/billing/src/repositories/reservations.js";
import { settleGenerations } from "../../../services/billing/src/repositories/settle-generations.js";
import { createTestDatabase } from "../../support/test-database.js";
import { testAdminCaller } from "../../support/test-admin-caller.js";
import { completedFact, findLedgerViolations, startBillingUnderTest, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";
import { runAdminForTest } from "./run-admin-for-test.js";

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

// Issue 10's admin money over billing's NATS endpoints (what the admin HTTP routes call) and `npm run admin`:
// grants and adjustments are ledger transactions with a reason and an audit row, never balance edits.
describe("admin money", () => {
  let harness: BillingUnderTest;
  beforeAll(async () => {
    harness = await startBillingUnderTest();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const openAccount = async (name: string) =>
    (await harness.request(harness.subjects.billingCreateAccount, { name, caller: testAdminCaller }, accountReplySchema)).data;
  const auditOf = async (accountId: string) =>
    (await harness.request(harness.subjects.billingListAdminAudit, { limit: 500 }, listAdminAuditReplySchema)).data.filter((entry) => entry.account_id === accountId);

  it("grants with a reason and adjusts both ways with one, as audited ledger transactions", async () => {
    const { subjects } = harness;
    const account = await openAccount("adjusted");
    const granted = await harness.request(subjects.billingGrantCredits, { accountId: account.id, amountMicros: 5_000_000, reason: "welcome credit", caller: testAdminCaller }, accountReplySchema);
    expect(granted.data.balance_micros).toBe(5_000_000);
    const lowered = await harness.request(subjects.billingAdjustCredits, { accountId: account.id, amountMicros: -1_250_000, reason: "duplicate grant, ticket 42", caller: testAdminCaller }, accountReplySchema);
    expect(lowered.data).toMatchObject({ balance_micros: 3_750_000, balance_usd: "3.75", available_usd: "3.75" });
    const raised = await harness.request(subjects.billingAdjustCredits, { accountId: account.id, amountMicros: 10, reason: "rounding goodwill", caller: testAdminCaller }, accountReplySchema);
    expect(raised.data.balance_micros).toBe(3_750_010);

    const transactions = await harness.database
      .selectFrom("ledger_transactions")
      .innerJoin("ledger_entries", "ledger_entries.transaction_id", "ledger_transactions.id")
      .select(["ledger_transactions.kind", "ledger_transactions.reason", "ledger_entries.amount_micros"])
      .where("ledger_entries.account_id", "=", account.id)
      .orderBy("ledger_transactions.id")
      .execute();
    expect(transactions).toEqual([
      { kind: "grant", reason: "welcome credit", amount_micros: 5_000_000 },
      { kind: "adjustment", reason: "duplicate grant, ticket 42", amount_micros: -1_250_000 },
      { kind: "adjustment", reason: "rounding goodwill", amount_micros: 10 },
    ]);
    // GET /credits counts adjustments with the grants, so total_credits − total_usage is still the balance.
    expect((await harness.request(subjects.billingGetCredits, { accountId: account.id }, creditsReplySchema)).data).toEqual({ total_credits: 3.75001, total_usage: 0 });
    expect((await auditOf(account.id)).map((entry) => [entry.action, entry.amount_micros])).toEqual([
      ["adjust-credits", 10],
      ["adjust-credits", -1_250_000],
      ["grant-credits", 5_000_000],
      ["create-account", null],
    ]);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("refuses an adjustment beyond the available credit (409), without a reason, of zero, or for an unknown account", async () => {
    const { subjects } = harness;
    const { accountId, keyId } = await createFundedKey(harness.database, 1_000_000);
    await reserve(harness.database, { generationId: `gen-${randomUUID()}`, accountId, keyId, amountMicros: 400_000, ttlSeconds: 900 });
    const beyond = await gatewayErrorOf(harness.request(subjects.billingAdjustCredits, { accountId, amountMicros: -600_001, reason: "too much", caller: testAdminCaller }, accountReplySchema));
    expect(beyond).toMatchObject({ status: 409, code: "invalid_request", message: expect.stringMatching(/exceeds the account's available credit of 0\.6 USD/) });
    for (const payload of [
      { accountId, amountMicros: -1, caller: testAdminCaller },
      { accountId, amountMicros: -1, reason: "", caller: testAdminCaller },
      { accountId, amountMicros: -1, reason: "two\nlines", caller: testAdminCaller },
      { accountId, amountMicros: 0, reason: "nothing", caller: testAdminCaller },
    ]) {
      expect(await gatewayErrorOf(harness.request(subjects.billingAdjustCredits, payload, accountReplySchema))).toMatchObject({ status: 400 });
    }
    const unknown = await gatewayErrorOf(
      harness.request(subjects.billingAdjustCredits, { accountId: "0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11", amountMicros: 5, reason: "x", caller: testAdminCaller }, accountReplySchema),
    );
    expect(unknown).toMatchObject({ status: 404 });
    expect((await auditOf(accountId)).map((entry) => entry.action)).not.toContain("adjust-credits");
    const adjustments = await harness.database.selectFrom("ledger_entries").select("id").where("account_id", "=", accountId).where("kind", "=", "adjustment").execute();
    expect(adjustments).toEqual([]);
  });

  it("lists accounts page by page with balance, reserved and leased credit, each once", async () => {
    const { subjects } = harness;
    const opened: z.infer<typeof accountSchema>[] = [];
    for (let index = 0; index < 5; index++) opened.push(await openAccount(`listed ${index}`));
    const seen: z.infer<typeof accountSchema>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const reply = await harness.request(subjects.billingListAccounts, { limit: 2, ...(cursor ? { cursor } : {}) }, listAccountsReplySchema);
      expect(reply.data.length).toBeLessThanOrEqual(2);
      seen.push(...reply.data);
      if (reply.next_cursor === null) break;
      cursor = reply.next_cursor;
    }
    expect(new Set(seen.map((account) => account.id)).size).toBe(seen.length);
    const ours = seen.filter((account) => opened.some((open) => open.id === account.id));
    expect(ours.map((account) => account.name)).toEqual(["listed 0", "listed 1", "listed 2", "listed 3", "listed 4"]);
    expect(ours[0]).toEqual(opened[0]);
    expect(ours[0]).toMatchObject({ balance_micros: 0, reserved_micros: 0, leased_micros: 0 });
    const total = await harness.database.selectFrom("accounts").select((expression) => expression.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
    expect(seen).toHaveLength(Number(total.count));
  });

  it("shows an account's statement newest first with running balance, kind, reason and generation id, page by page", async () => {
    const { subjects } = harness;
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    // Settlement charges a batch in generation id order.
    const generationIds = [`gen-${randomUUID()}`, `gen-${randomUUID()}`].sort();
    for (const generationId of generationIds) await reserve(harness.database, { generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
    await settleGenerations(harness.database, generationIds.map((generationId) => completedFact({ generationId, accountId, keyId })));
    await harness.request(subjects.billingAdjustCredits, { accountId, amountMicros: -500, reason: "goodwill reversed", caller: testAdminCaller }, accountReplySchema);

    const first = await harness.request(subjects.billingGetAccountStatement, { accountId, limit: 3 }, accountStatementReplySchema);
    expect(first.data.map((line) => [line.kind, line.amount_micros, line.running_balance_micros, line.reason, line.generation_id])).toEqual([
      ["adjustment", -500, 8_000, "goodwill reversed", null],
      ["charge", -750, 8_500, null, generationIds[1]],
      ["charge", -750, 9_250, null, generationIds[0]],
    ]);
    expect(first.next_before).toBe(first.data[2]?.id);
    const second = await harness.request(subjects.billingGetAccountStatement, { accountId, limit: 3, before: first.next_before ?? 0 }, accountStatementReplySchema);
    expect(second.data.map((line) => [line.kind, line.amount_micros, line.running_balance_micros])).toEqual([["grant", 10_000, 10_000]]);
    expect(second.next_before).toBeNull();
    const account = await harness.request(subjects.billingGetAccount, { accountId }, accountReplySchema);
    expect(account.data.balance_micros).toBe(first.data[0]?.running_balance_micros);

    const missing = await gatewayErrorOf(harness.request(subjects.billingGetAccountStatement, { accountId: randomUUID(), limit: 3 }, accountStatementReplySchema));
    expect(missing).toMatchObject({ status: 404 });
  });

  it("reconciles over NATS: balanced, then the drift a direct balance edit made", async () => {
    const reconciled = await harness.request(harness.subjects.billingReconcileLedger, {}, reconcileLedgerReplySchema);
    expect(reconciled.data).toMatchObject({ balanced: true, account_drifts: [], unbalanced_transactions: [], ledger_total_micros: 0 });
    const { accountId } = await createFundedKey(harness.database, 3_000);
    await sql`UPDATE accounts SET balance_micros = 0 WHERE id = ${accountId}`.execute(harness.database);
    const drifted = await harness.request(harness.subjects.billingReconcileLedger, {}, reconcileLedgerReplySchema);
    expect(drifted.data).toMatchObject({ balanced: false, account_drifts: [{ account_id: accountId, balance_micros: 0, ledger_micros: 3_000, drift_micros: -3_000 }] });
  });
});

describe("npm run admin: money commands", () => {
  it("grant-credits --reason, adjust-credits, list-accounts, statement and reconcile (exit 1 on drift)", async () => {
    const testDatabase = await createTestDatabase();
    try {
      const admin = (...argv: string[]) => runAdminForTest(testDatabase.database, argv);
      const accountId = (accountSchema.parse((JSON.parse((await admin("create-account", "--name", "cli money")).stdout) as { data: unknown }).data)).id;
      expect((await admin("grant-credits", "--account", accountId, "--amount-usd", "2", "--reason", "trial")).exitCode).toBe(0);
      const adjusted = await admin("adjust-credits", "--account", accountId, "--amount-usd=-0.5", "--reason", "trial overgranted");
      expect(adjusted).toMatchObject({ exitCode: 0, stderr: "" });
      expect(accountReplySchema.parse(JSON.parse(adjusted.stdout)).data).toMatchObject({ balance_micros: 1_500_000 });

      const noReason = await admin("adjust-credits", "--account", accountId, "--amount-usd=-0.5");
      expect(noReason.exitCode).toBe(1);
      expect(noReason.stderr).toMatch(/Missing --reason\.\nUsage: npm run admin -- adjust-credits/);
      const zero = await admin("adjust-credits", "--account", accountId, "--amount-usd", "0", "--reason", "x");
      expect(zero.stderr).toMatch(/--amount-usd must not be zero/);
      const tooMuch = await admin("adjust-credits", "--account", accountId, "--amount-usd=-1.500001", "--reason", "x");
      expect(tooMuch).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/exceeds the account's available credit of 1\.5 USD/) });

      await admin("create-account", "--name", "cli second");
      const firstPage = await admin("list-accounts", "--limit", "1");
      expect(firstPage.exitCode).toBe(0);
      const page = listAccountsReplySchema.parse(JSON.parse(firstPage.stdout));
      expect(page.data.map((account) => [account.id, account.balance_micros, account.reserved_micros, account.leased_micros])).toEqual([[accountId, 1_500_000, 0, 0]]);
      const secondPage = listAccountsReplySchema.parse(JSON.parse((await admin("list-accounts", "--limit", "1", "--cursor", page.next_cursor ?? "")).stdout));
      expect(secondPage).toMatchObject({ data: [{ name: "cli second" }], next_cursor: null });

      const statement = await admin("statement", "--account", accountId, "--limit", "1");
      expect(statement.exitCode).toBe(0);
      const lines = accountStatementReplySchema.parse(JSON.parse(statement.stdout));
      expect(lines.data).toMatchObject([{ kind: "adjustment", amount_micros: -500_000, running_balance_micros: 1_500_000, reason: "trial overgranted" }]);
      const older = accountStatementReplySchema.parse(JSON.parse((await admin("statement", "--account", accountId, "--before", String(lines.next_before))).stdout));
      expect(older.data).toMatchObject([{ kind: "grant", amount_micros: 2_000_000, running_balance_micros: 2_000_000, reason: "trial" }]);
      expect((await admin("statement", "--account", accountId, "--before", "x")).stderr).toMatch(/--before must be a ledger entry id/);

      const clean = await admin("reconcile");
      expect(clean).toMatchObject({ exitCode: 0, stderr: "" });
      expect(reconcileLedgerReplySchema.parse(JSON.parse(clean.stdout)).data.balanced).toBe(true);
      await sql`UPDATE accounts SET balance_micros = balance_micros - 7 WHERE id = ${accountId}`.execute(testDatabase.database);
      const drift = await admin("reconcile");
      expect(drift.exitCode).toBe(1);
      expect(drift.stderr).toMatch(/The ledger does not reconcile: 1 account\(s\)/);
      expect(reconcileLedgerReplySchema.parse(JSON.parse(drift.stdout)).data.account_drifts).toEqual([
        { account_id: accountId, balance_micros: 1_499_993, ledger_micros: 1_500_000, drift_micros: -7 },
      ]);
    } finally {
      await testDatabase.drop();
    }
  });
});
