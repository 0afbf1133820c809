import {
  createKeyReplySchema,
  creditsReplySchema,
  currentKeyReplySchema,
  httpErrorBodySchema,
  keyReplySchema,
  listAdminAuditReplySchema,
  listKeysReplySchema,
} from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { waitFor } from "../integration/billing/billing-test-kit.js";
import { startStack, type TestStack } from "../support/start-stack.js";

const usageCostSchema = z.object({ usage: z.object({ cost: z.number() }) });

// Issue 10 over HTTP: OpenRouter's key-management API (admin and management keys), GET /key and GET /credits.
// Ingress keeps keys in memory for a minute here, so only billing's key-change announcement can make a
// second ingress refuse a disabled or deleted key within 1 s.
describe("key management over HTTP", () => {
  let stack: TestStack;
  let secondIngress: string;
  beforeAll(async () => {
    stack = await startStack({ ingress: { keyCacheTtlMs: 60_000 } });
    secondIngress = await stack.addIngress();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const send = async (baseUrl: string, method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const admin = (method: string, path: string, body?: unknown) => send(stack.baseUrl, method, path, stack.adminKey, body);
  const complete = (baseUrl: string, key: string) =>
    send(baseUrl, "POST", "/chat/completions", key, { model: "test/echo", messages: [{ role: "user", content: "hello" }], max_tokens: 20 });
  const errorOf = (answer: { body: unknown }) => httpErrorBodySchema.parse(answer.body).error;

  /** Polls both ingresses until each refuses the key with 401; returns how long that took. */
  const refusedEverywhereWithin = async (key: string): Promise<number> => {
    const started = Date.now();
    for (const baseUrl of [stack.baseUrl, secondIngress]) {
      await waitFor(async () => (await complete(baseUrl, key)).status === 401, 5_000);
    }
    return Date.now() - started;
  };

  it("lists, gets, patches and deletes keys; disabled and deleted keys are refused on both ingresses within 1 s", async () => {
    const { accountId, key } = await stack.createFundedKey("5.00");
    const second = createKeyReplySchema.parse((await admin("POST", "/keys", { account_id: accountId, name: "second" })).body);
    // Both ingresses have the key in memory.
    for (const baseUrl of [stack.baseUrl, secondIngress]) expect((await complete(baseUrl, key)).status).toBe(200);

    const listing = await admin("GET", `/keys?account_id=${accountId}`);
    expect(listing.status).toBe(200);
    const keys = listKeysReplySchema.parse(listing.body).data;
    expect(keys.map((entry) => entry.name)).toEqual(["e2e key", "second"]);
    expect(JSON.stringify(listing.body)).not.toContain(key);
    const hash = keys[0]?.hash ?? "";
    expect(keyReplySchema.parse((await admin("GET", `/keys/${hash}`)).body).data).toMatchObject({ hash, name: "e2e key", disabled: false });

    const disabled = await admin("PATCH", `/keys/${hash}`, { disabled: true, name: "leaked" });
    expect(disabled.status).toBe(200);
    expect(keyReplySchema.parse(disabled.body).data).toMatchObject({ hash, name: "leaked", disabled: true });
    expect(await refusedEverywhereWithin(key)).toBeLessThan(1_000);
    expect(errorOf(await complete(secondIngress, key))).toMatchObject({ code: 401 });

    expect((await admin("PATCH", `/keys/${hash}`, { disabled: false })).status).toBe(200);
    for (const baseUrl of [stack.baseUrl, secondIngress]) await waitFor(async () => (await complete(baseUrl, key)).status === 200, 1_000);

    const deleted = await admin("DELETE", `/keys/${hash}`);
    expect(deleted).toEqual({ status: 200, body: { deleted: true } });
    expect(await refusedEverywhereWithin(key)).toBeLessThan(1_000);
    // Refused like a key that never existed.
    const unknownKey = `sk-sb-v1-${"0".repeat(64)}`;
    expect(errorOf(await complete(stack.baseUrl, key))).toEqual(errorOf(await complete(stack.baseUrl, unknownKey)));
    expect(listKeysReplySchema.parse((await admin("GET", `/keys?account_id=${accountId}&include_disabled=true`)).body).data.map((entry) => entry.hash)).toEqual([
      second.data.hash,
    ]);
    expect((await admin("GET", `/keys/${hash}`)).status).toBe(404);

    const audit = listAdminAuditReplySchema.parse((await admin("GET", "/admin/audit?limit=20")).body).data.filter((entry) => entry.key_hash === hash);
    expect(audit.map((entry) => entry.action)).toEqual(["delete-key", "enable-key", "disable-key", "rename-key", "create-key"]);
    expect(audit[0]?.actor).toMatch(/^admin-key:/);
  });

  it("answers in OpenRouter's error shape: 404 unknown hash, 400 malformed hash or unsupported field, 403 for an inference key, 401 without one", async () => {
    const { accountId, key } = await stack.createFundedKey("1.00");
    const hash = listKeysReplySchema.parse((await admin("GET", `/keys?account_id=${accountId}`)).body).data[0]?.hash ?? "";
    const unknown = await admin("PATCH", `/keys/${"f".repeat(64)}`, { disabled: true });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe(404);
    for (const [method, path] of [["GET", "/keys/not-a-hash"], ["DELETE", "/keys/ABC"], ["GET", "/keys?account_id=nope"]] as const) {
      const answer = await admin(method, path);
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(errorOf(answer).code).toBe(400);
    }
    for (const body of [{ expires_at: null }, { name: "x", include_byok_in_limit: true }]) {
      const answer = await admin("PATCH", `/keys/${hash}`, body);
      expect(answer.status).toBe(400);
      expect(errorOf(answer).message).toMatch(/is not supported yet/);
    }
    for (const body of [{ limit: -1 }, { limit: 0.0000001 }, { limit: "5" }, { limit_reset: "yearly" }, { limit: 5, limit_reset: "DAILY" }]) {
      const answer = await admin("PATCH", `/keys/${hash}`, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(answer).code).toBe(400);
    }
    for (const body of [{ nmae: "typo" }, {}, { disabled: "yes" }]) expect((await admin("PATCH", `/keys/${hash}`, body)).status).toBe(400);
    expect(keyReplySchema.parse((await admin("GET", `/keys/${hash}`)).body).data).toMatchObject({ name: "e2e key", disabled: false });

    for (const [method, path] of [["GET", `/keys?account_id=${accountId}`], ["GET", `/keys/${hash}`], ["PATCH", `/keys/${hash}`], ["DELETE", `/keys/${hash}`]] as const) {
      const asUser = await send(stack.baseUrl, method, path, key, method === "PATCH" ? { disabled: true } : undefined);
      expect(asUser.status, `${method} ${path}`).toBe(403);
      expect(errorOf(asUser).message).toMatch(/Only management keys can perform this operation/);
      const response = await fetch(`${stack.baseUrl}${path}`, { method });
      expect(response.status).toBe(401);
    }
    // GET /key and GET /credits need an inference key; the admin key is none.
    for (const path of ["/key", "/auth/key", "/credits"]) expect((await send(stack.baseUrl, "GET", path, stack.adminKey)).status).toBe(401);
  });

  it("a management key manages its own account's keys and nothing else, and cannot call models; an inference key cannot manage", async () => {
    const { accountId, key } = await stack.createFundedKey("2.00");
    const other = await stack.createFundedKey("1.00");
    const otherHash = listKeysReplySchema.parse((await admin("GET", `/keys?account_id=${other.accountId}`)).body).data[0]?.hash ?? "";

    expect((await admin("POST", "/keys", { name: "no account" })).status).toBe(400);
    const created = await admin("POST", "/keys", { account_id: accountId, name: "manager", management: true });
    expect(created.status).toBe(201);
    const manager = createKeyReplySchema.parse(created.body);
    expect(manager.data).toMatchObject({ account_id: accountId, management: true });
    const asManager = (method: string, path: string, body?: unknown) => send(secondIngress, method, path, manager.key, body);
    expect(currentKeyReplySchema.parse((await asManager("GET", "/key")).body).data.is_management_key).toBe(true);
    expect(creditsReplySchema.parse((await asManager("GET", "/credits")).body).data.total_credits).toBe(2);

    const app = await asManager("POST", "/keys", { name: "app" });
    expect(app.status).toBe(201);
    const appKey = createKeyReplySchema.parse(app.body);
    expect(appKey.data).toMatchObject({ account_id: accountId, name: "app", management: false });
    expect((await complete(stack.baseUrl, appKey.key)).status).toBe(200);
    const limited = await asManager("POST", "/keys", { name: "limited", limit: 5, limit_reset: "monthly" });
    expect(limited.status).toBe(201);
    const limitedKey = createKeyReplySchema.parse(limited.body);
    expect(limitedKey.data).toMatchObject({ name: "limited", limit: 5, limit_remaining: 5, limit_reset: "monthly" });
    expect((await asManager("POST", "/keys", { name: "too fine", limit: 0.1234567 })).status).toBe(400);
    expect(errorOf(await asManager("POST", "/keys", { name: "second manager", management: true })).code).toBe(403);
    expect((await asManager("POST", "/keys", { account_id: other.accountId, name: "elsewhere" })).status).toBe(403);

    const listing = listKeysReplySchema.parse((await asManager("GET", "/keys")).body).data;
    expect(listing.map((entry) => entry.name)).toEqual(["e2e key", "manager", "app", "limited"]);
    expect((await asManager("GET", `/keys?account_id=${other.accountId}`)).status).toBe(403);

    const disabled = await asManager("PATCH", `/keys/${appKey.data.hash}`, { disabled: true });
    expect(keyReplySchema.parse(disabled.body).data).toMatchObject({ hash: appKey.data.hash, disabled: true });
    expect(await refusedEverywhereWithin(appKey.key)).toBeLessThan(1_000);

    // Another account's key is not found, as if unknown, and keeps working.
    for (const [method, body] of [["GET", undefined], ["PATCH", { disabled: true }], ["DELETE", undefined]] as const) {
      const answer = await asManager(method, `/keys/${otherHash}`, body);
      expect(answer.status, method).toBe(404);
      expect(errorOf(answer).code).toBe(404);
    }
    expect((await complete(stack.baseUrl, other.key)).status).toBe(200);

    const chat = await complete(secondIngress, manager.key);
    expect(chat.status).toBe(403);
    expect(errorOf(chat).message).toMatch(/Management keys cannot call models/);

    for (const [method, path, body] of [["GET", "/keys", undefined], ["POST", "/keys", { name: "sneaky" }]] as const) {
      const asInference = await send(stack.baseUrl, method, path, key, body);
      expect(asInference.status, `${method} ${path}`).toBe(403);
      expect(errorOf(asInference).message).toMatch(/Only management keys can perform this operation/);
    }

    const audit = listAdminAuditReplySchema.parse((await admin("GET", "/admin/audit?limit=50")).body).data.filter((entry) => entry.account_id === accountId);
    expect(audit.slice(0, 4).map((entry) => [entry.action, entry.key_hash, entry.actor])).toEqual([
      ["disable-key", appKey.data.hash, `management-key:${manager.data.hash}`],
      ["create-key", limitedKey.data.hash, `management-key:${manager.data.hash}`],
      ["create-key", appKey.data.hash, `management-key:${manager.data.hash}`],
      ["create-management-key", manager.data.hash, expect.stringMatching(/^admin-key:/)],
    ]);

    // It may delete itself (how an account revokes a leaked one without the admin); then it manages nothing.
    expect(await asManager("DELETE", `/keys/${manager.data.hash}`)).toEqual({ status: 200, body: { deleted: true } });
    for (const baseUrl of [stack.baseUrl, secondIngress]) {
      await waitFor(async () => (await send(baseUrl, "GET", "/keys", manager.key)).status === 401, 1_000);
    }
  });

  it("GET /key usage is what billing charged the key, GET /credits what the account was granted and charged", async () => {
    const { accountId, key } = await stack.createFundedKey("3.00");
    const before = currentKeyReplySchema.parse((await send(secondIngress, "GET", "/key", key)).body).data;
    expect(before).toMatchObject({ usage: 0, limit: null, limit_remaining: null, limit_reset: null, is_free_tier: false, is_management_key: false });
    expect(before.label).toMatch(/^sk-sb-v2-[0-9a-f]{3}\.\.\.[0-9a-f]{3}$/);
    expect(before.rate_limit.requests).toBe(-1);

    let costs = 0;
    for (let index = 0; index < 3; index += 1) {
      const answer = await complete(index % 2 === 0 ? stack.baseUrl : secondIngress, key);
      expect(answer.status).toBe(200);
      costs += usageCostSchema.parse(answer.body).usage.cost;
    }
    const charges = async () => {
      const rows = await stack.database.database.selectFrom("reservations").select("charged_micros").where("account_id", "=", accountId).execute();
      return rows.length === 3 && rows.every((row) => row.charged_micros !== null) ? rows.reduce((sum, row) => sum + (row.charged_micros ?? 0), 0) : undefined;
    };
    await waitFor(async () => (await charges()) !== undefined);
    const chargedMicros = (await charges()) ?? -1;
    expect(chargedMicros).toBeGreaterThan(0);
    expect(Math.round(costs * 1e6)).toBe(chargedMicros);

    for (const path of ["/key", "/auth/key"]) {
      const figures = currentKeyReplySchema.parse((await send(stack.baseUrl, "GET", path, key)).body).data;
      expect(figures).toMatchObject({ label: before.label, usage: chargedMicros / 1e6, usage_daily: chargedMicros / 1e6 });
    }
    expect(creditsReplySchema.parse((await send(secondIngress, "GET", "/credits", key)).body)).toEqual({ data: { total_credits: 3, total_usage: chargedMicros / 1e6 } });
    const account = (await admin("GET", `/admin/accounts/${accountId}`)).body as { data: { balance_micros: number } };
    expect(account.data.balance_micros).toBe(3_000_000 - chargedMicros);
  });
});
