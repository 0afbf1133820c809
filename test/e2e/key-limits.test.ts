import { createKeyReplySchema, currentKeyReplySchema, httpErrorBodySchema, keyReplySchema } from "@switchboard/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../services/billing/src/repositories/api-key-secret.js";
import { findLedgerViolations, waitFor as waitUntil } from "../integration/billing/billing-test-kit.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

// Issue 10 over HTTP: per-key spending limits, enforced before the call like the balance, with credit
// leases on (the stack's default): a limited key's generations are reserved by billing against its limit,
// never held against a lease. Keys stay cached for a minute here, so only billing's key-change
// announcement can make a running ingress apply a new limit.

const concurrentRequests = 1_000;
const coveredRequests = 500;

/** Prompts of the same length, so that every request holds the same upper bound. */
const promptOf = (run: string) => `exactly five hundred, run ${run}`;

describe("key spending limits over HTTP", () => {
  let stack: TestStack;
  let secondIngress: string;
  let holdMicros: number;

  beforeAll(async () => {
    // 1,000 reservations of one key take turns in billing: ingress waits longer than deployed (5 s).
    stack = await startStack({ serviceRequestTimeoutMs: 60_000, ingress: { keyCacheTtlMs: 60_000 } });
    secondIngress = await stack.addIngress();
    // The hold of one request, read from the reservation of a first request (an account's first request
    // reserves through billing: no lease yet), which is then abandoned.
    stack.primary.addRule(promptOf("P"), { neverRespond: true });
    const probe = await stack.createFundedKey("1.00");
    const abandon = new AbortController();
    const probing = post(stack.baseUrl, probe.key, promptOf("P"), abandon.signal).catch(() => undefined);
    const reservation = await waitFor(
      () => stack.database.database.selectFrom("reservations").select("amount_micros").where("account_id", "=", probe.accountId).executeTakeFirst(),
      10_000,
      "the probe's reservation",
    );
    abandon.abort();
    await probing;
    holdMicros = reservation.amount_micros;
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  function post(baseUrl: string, key: string, content: string, signal?: AbortSignal): Promise<Response> {
    return fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      // One provider only, so every request holds the same amount (see credit-leases.test.ts).
      body: JSON.stringify({ model: "test/echo", provider: { only: ["primary"] }, messages: [{ role: "user", content }] }),
      ...(signal ? { signal } : {}),
    });
  }

  const send = async (baseUrl: string, method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const usd = (micros: number) => Number((micros / 1_000_000).toFixed(6));

  it("1,000 concurrent requests on a key whose limit covers 500 (account holding far more), leases on: exactly 500 answers and 500 402s", async () => {
    const prompt = promptOf("A");
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    stack.primary.addRule(prompt, { text: "done", answerAfter: gate, usage: { prompt_tokens: 10, completion_tokens: 2 } });
    const admitted = () => stack.primary.requests.filter((request) => JSON.stringify(request.body).includes(prompt)).length;

    const { accountId } = await stack.createFundedKey(((holdMicros * coveredRequests * 10) / 1_000_000).toFixed(6));
    const limitMicros = holdMicros * coveredRequests;
    const created = await stack.admin("POST", "/keys", { account_id: accountId, name: "limited", limit: usd(limitMicros) });
    expect(created.status).toBe(201);
    const limited = createKeyReplySchema.parse(created.body);
    expect(limited.data).toMatchObject({ limit: usd(limitMicros), limit_remaining: usd(limitMicros), limit_reset: null });
    const keyId = (await stack.database.database.selectFrom("api_keys").select("id").where("key_hash", "=", limited.data.hash).executeTakeFirstOrThrow()).id;

    let refused = 0;
    const unexpected: string[] = [];
    const refusals: string[] = [];
    const baseUrls = [stack.baseUrl, secondIngress];
    const sendOne = async (index: number) => {
      const response = await post(baseUrls[index % baseUrls.length] as string, limited.key, prompt);
      const body = await response.text();
      if (response.status !== 200) refused++;
      if (response.status === 402) refusals.push(body);
      else if (response.status !== 200) unexpected.push(`${response.status} ${body}`);
      return response.status;
    };
    const answers = Promise.all(Array.from({ length: concurrentRequests }, (_unused, index) => sendOne(index)));
    // Every request decided: it reached the upstream, or it was answered without.
    await waitFor(async () => (admitted() + refused >= concurrentRequests ? true : undefined), 120_000, "every request admitted or refused").finally(openGate);
    // Before anything settles: what the key holds is exactly its limit, never more.
    const statuses = await answers;
    expect(unexpected.slice(0, 3)).toEqual([]);
    const counts = new Map<number, number>();
    for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 200: coveredRequests, 402: concurrentRequests - coveredRequests });
    const refusal = httpErrorBodySchema.parse(JSON.parse(refusals[0] ?? "{}")).error;
    expect(refusal.code).toBe(402);
    expect(refusal.message).toMatch(
      /^This request requires more credits, or fewer max_tokens\. You requested up to \d+ tokens, but can only afford \d+\. To increase, raise the key's limit or add credits\.$/,
    );
    expect(refusal.metadata).toMatchObject({ limit_remaining_usd: expect.any(String), requested_tokens: expect.any(Number), affordable_tokens: expect.any(Number) });

    // No lease ever held the key's generations: every one was reserved by billing, against the limit.
    const rows = await stack.database.database
      .selectFrom("reservations")
      .select([sql<number>`count(*)::int`.as("count"), sql<number>`count(lease_id)::int`.as("leased"), sql<number>`coalesce(sum(amount_micros), 0)::bigint`.as("held")])
      .where("key_id", "=", keyId)
      .executeTakeFirstOrThrow();
    expect(rows).toEqual({ count: coveredRequests, leased: 0, held: limitMicros });
    await waitUntil(async () => {
      const settled = await stack.database.database.selectFrom("reservations").select("status").where("key_id", "=", keyId).where("status", "=", "pending").execute();
      return settled.length === 0;
    }, 20_000);
    const charged = await stack.database.database
      .selectFrom("reservations")
      .select(sql<number>`coalesce(sum(charged_micros), 0)::bigint`.as("charged"))
      .where("key_id", "=", keyId)
      .executeTakeFirstOrThrow();
    expect(charged.charged).toBeLessThanOrEqual(limitMicros);
    const shown = currentKeyReplySchema.parse((await send(stack.baseUrl, "GET", "/key", limited.key)).body).data;
    expect(shown).toMatchObject({ limit: usd(limitMicros), limit_remaining: usd(limitMicros - charged.charged), usage: usd(charged.charged) });
    expect(await findLedgerViolations(stack.database.database)).toEqual([]);
  }, 240_000);

  it("a PATCHed limit reaches every running ingress: a request over it is refused with OpenRouter's 402, and lifting it lets requests through", async () => {
    const { key } = await stack.createFundedKey("5.00");
    const complete = (baseUrl: string) => send(baseUrl, "POST", "/chat/completions", key, { model: "test/echo", messages: [{ role: "user", content: "hello" }], max_tokens: 20 });
    // Both ingresses hold the key in memory (for a minute), as unlimited, and hold against leases.
    for (const baseUrl of [stack.baseUrl, secondIngress]) expect((await complete(baseUrl)).status).toBe(200);
    const hash = hashApiKey(key);

    const patched = await stack.admin("PATCH", `/keys/${hash}`, { limit: 0.000001, limit_reset: "daily" });
    expect(patched.status).toBe(200);
    expect(keyReplySchema.parse(patched.body).data).toMatchObject({ limit: 0.000001, limit_reset: "daily", limit_remaining: 0 });
    for (const baseUrl of [stack.baseUrl, secondIngress]) {
      await waitUntil(async () => (await complete(baseUrl)).status === 402, 1_000);
      const refusal = httpErrorBodySchema.parse((await complete(baseUrl)).body).error;
      expect(refusal).toMatchObject({ code: 402, metadata: { requested_tokens: 20, affordable_tokens: 0 } });
      expect(refusal.message).toBe(
        "This request requires more credits, or fewer max_tokens. You requested up to 20 tokens, but can only afford 0. To increase, raise the key's limit or add credits.",
      );
    }
    expect(currentKeyReplySchema.parse((await send(secondIngress, "GET", "/auth/key", key)).body).data).toMatchObject({ limit: 0.000001, limit_reset: "daily" });

    expect((await stack.admin("PATCH", `/keys/${hash}`, { limit: null })).status).toBe(200);
    for (const baseUrl of [stack.baseUrl, secondIngress]) await waitUntil(async () => (await complete(baseUrl)).status === 200, 1_000);
  }, 60_000);

  it("the account-balance 402 uses the same wording, keeping its metadata", async () => {
    const { key } = await stack.createFundedKey("0.000010");
    const answer = await send(stack.baseUrl, "POST", "/chat/completions", key, { model: "test/echo", messages: [{ role: "user", content: "hello" }], max_tokens: 500 });
    expect(answer.status).toBe(402);
    const refusal = httpErrorBodySchema.parse(answer.body).error;
    expect(refusal.message).toMatch(/^This request requires more credits, or fewer max_tokens\. You requested up to 500 tokens, but can only afford \d+\./);
    expect(refusal.metadata).toMatchObject({ required_usd: expect.any(String), available_usd: "0.00001", requested_tokens: 500 });
  });
});
