import {
  accountSchema,
  accountStatementReplySchema,
  httpErrorBodySchema,
  listAccountsReplySchema,
  listAdminAuditReplySchema,
  reconcileLedgerReplySchema,
} from "@switchboard/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startStack, type TestStack } from "../support/start-stack.js";

const accountReplySchema = z.object({ data: accountSchema });

// Issue 10's admin money over the admin HTTP API (the NATS and CLI paths are in
// test/integration/billing/admin-money.test.ts): grants and adjustments with a reason, accounts listed
// page by page, an account's statement, and reconciliation.
describe("admin money over HTTP", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const send = async (method: string, path: string, options: { body?: unknown; key?: string } = {}) => {
    const response = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.key ?? stack.adminKey}`, ...(options.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it("grants and adjusts with a reason, lists accounts, shows the statement and reconciles", async () => {
    const { accountId, key } = await stack.createFundedKey("5.00");
    const granted = await send("POST", `/admin/accounts/${accountId}/credits`, { body: { amount_usd: "1.25", reason: "conference voucher" } });
    expect(granted.status).toBe(200);
    const adjusted = await send("POST", `/admin/accounts/${accountId}/adjustments`, { body: { amount_usd: "-0.75", reason: "voucher used twice" } });
    expect(adjusted.status).toBe(200);
    expect(accountReplySchema.parse(adjusted.body).data).toMatchObject({ balance_micros: 5_500_000, balance_usd: "5.5" });

    const statement = await send("GET", `/admin/accounts/${accountId}/statement?limit=2`);
    expect(statement.status).toBe(200);
    const page = accountStatementReplySchema.parse(statement.body);
    expect(page.data.map((line) => [line.kind, line.amount_micros, line.running_balance_micros, line.reason])).toEqual([
      ["adjustment", -750_000, 5_500_000, "voucher used twice"],
      ["grant", 1_250_000, 6_250_000, "conference voucher"],
    ]);
    const older = accountStatementReplySchema.parse((await send("GET", `/admin/accounts/${accountId}/statement?limit=2&before=${page.next_before}`)).body);
    expect(older).toMatchObject({ data: [{ kind: "grant", amount_micros: 5_000_000, running_balance_micros: 5_000_000, reason: null }], next_before: null });

    const listed: z.infer<typeof accountSchema>[] = [];
    let cursor = "";
    for (let pages = 0; pages < 50; pages++) {
      const reply = await send("GET", `/admin/accounts?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(reply.status).toBe(200);
      const accounts = listAccountsReplySchema.parse(reply.body);
      listed.push(...accounts.data);
      if (accounts.next_cursor === null) break;
      cursor = accounts.next_cursor;
    }
    expect(listed.find((account) => account.id === accountId)).toMatchObject({ balance_micros: 5_500_000, reserved_micros: 0, leased_micros: 0 });

    const audit = listAdminAuditReplySchema.parse((await send("GET", "/admin/audit?limit=2")).body);
    expect(audit.data.map((entry) => [entry.action, entry.account_id, entry.amount_micros])).toEqual([
      ["adjust-credits", accountId, -750_000],
      ["grant-credits", accountId, 1_250_000],
    ]);

    const reconciled = await send("GET", "/admin/reconciliation");
    expect(reconciled.status).toBe(200);
    expect(reconcileLedgerReplySchema.parse(reconciled.body).data).toMatchObject({ balanced: true, ledger_total_micros: 0 });
    await sql`UPDATE accounts SET balance_micros = balance_micros + 1 WHERE id = ${accountId}`.execute(stack.database.database);
    const drifted = reconcileLedgerReplySchema.parse((await send("GET", "/admin/reconciliation")).body).data;
    expect(drifted).toMatchObject({ balanced: false, account_drifts: [{ account_id: accountId, drift_micros: 1 }] });
    await sql`UPDATE accounts SET balance_micros = balance_micros - 1 WHERE id = ${accountId}`.execute(stack.database.database);

    // The money routes are the admin key's alone.
    for (const [method, path, body] of [
      ["POST", `/admin/accounts/${accountId}/adjustments`, { amount_usd: "1", reason: "x" }],
      ["GET", "/admin/accounts", undefined],
      ["GET", `/admin/accounts/${accountId}/statement`, undefined],
      ["GET", "/admin/reconciliation", undefined],
    ] as const) {
      const refused = await send(method, path, { key, ...(body === undefined ? {} : { body }) });
      expect(refused.status, path).toBe(403);
      expect(httpErrorBodySchema.parse(refused.body).error.code).toBe(403);
    }
  });

  it("answers 400 for an adjustment without a reason, of zero, malformed or with an unknown field, 409 beyond the available credit, 404 for an unknown account", async () => {
    const { accountId } = await stack.createFundedKey("1.00");
    for (const body of [
      { amount_usd: "-0.5" },
      { amount_usd: "-0.5", reason: "" },
      { amount_usd: "0", reason: "nothing" },
      { amount_usd: "-1.0000001", reason: "too precise" },
      { amount_usd: "--1", reason: "malformed" },
      { amount_usd: "-0.5", reason: "ok", reasons: "misspelt" },
    ]) {
      const refused = await send("POST", `/admin/accounts/${accountId}/adjustments`, { body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(httpErrorBodySchema.parse(refused.body).error.code).toBe(400);
    }
    const beyond = await send("POST", `/admin/accounts/${accountId}/adjustments`, { body: { amount_usd: "-1.000001", reason: "too much" } });
    expect(beyond.status).toBe(409);
    expect(httpErrorBodySchema.parse(beyond.body).error.message).toMatch(/exceeds the account's available credit of 1 USD/);
    const unknown = await send("POST", "/admin/accounts/0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11/adjustments", { body: { amount_usd: "1", reason: "x" } });
    expect(unknown.status).toBe(404);
    expect((await send("GET", "/admin/accounts/0b7e6a8e-3a3b-4c47-9d43-2f4f3e1f0a11/statement")).status).toBe(404);
    expect((await send("GET", "/admin/accounts?limit=0")).status).toBe(400);
    expect((await send("GET", `/admin/accounts/${accountId}/statement?before=abc`)).status).toBe(400);
  });
});
