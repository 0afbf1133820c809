import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLedgerViolations } from "../integration/billing/billing-test-kit.js";
import type { LogCapture } from "../support/silent-logger.js";
import { startStack, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

// Issue 7 acceptance: "1,000 concurrent requests on an account whose balance covers exactly 500 get
// exactly 500 answers and 500 402s with leases enabled, through one ingress and through two; an account
// never ends below zero whatever the interleaving."
//
// The upstream answers only once every request has been admitted (reached it) or refused, so what
// decides is the credit held, not how fast earlier answers free theirs, however slow the machine is.

const concurrentRequests = 1_000;
const coveredRequests = 500;

/** Prompts of the same length, so that every request holds the same upper bound. */
const promptOf = (run: string) => `exactly five hundred, run ${run}`;

describe("credit leases: exact answers under concurrency", () => {
  let stack: TestStack;
  let secondIngressUrl: string;
  let holdMicros: number;
  // Ingress logs each lease it takes up: the moment it can hold requests against it (billing's row exists a little earlier).
  const logCapture: LogCapture = { lines: [] };

  beforeAll(async () => {
    // 1,000 requests on one account queue on its row in PostgreSQL, and the whole stack and its 1,000
    // clients share this process's event loop: a billing answer may take seconds on a busy machine.
    // This test is about exact answers, so ingress waits for billing longer than deployed (5 s).
    stack = await startStack({ serviceRequestTimeoutMs: 30_000, logCapture });
    secondIngressUrl = await stack.addIngress();
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
      // One provider only, so every request holds the same amount: with a fallback provider, a request
      // the priciest candidate's bound no longer fits is admitted for the first candidate alone, with a
      // smaller hold (reserve-credit.ts), and two of those fit where one whole hold would.
      body: JSON.stringify({ model: "test/echo", provider: { only: ["primary"] }, messages: [{ role: "user", content }] }),
      ...(signal ? { signal } : {}),
    });
  }

  async function runExactly500(run: string, baseUrls: readonly string[]): Promise<void> {
    const prompt = promptOf(run);
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    stack.primary.addRule(prompt, { text: "done", answerAfter: gate, usage: { prompt_tokens: 10, completion_tokens: 2 } });
    const admitted = () => stack.primary.requests.filter((request) => JSON.stringify(request.body).includes(prompt)).length;

    const amountUsd = ((holdMicros * coveredRequests) / 1_000_000).toFixed(6);
    const funded = await stack.createFundedKey(amountUsd);
    let refused = 0;
    const unexpected: string[] = [];
    const send = async (index: number) => {
      const response = await post(baseUrls[index % baseUrls.length] as string, funded.key, prompt);
      const body = await response.text();
      if (response.status !== 200) refused++;
      if (response.status !== 200 && response.status !== 402) unexpected.push(`${response.status} ${body}`);
      return response.status;
    };
    // The first request through each ingress makes it ask for a lease; once every ingress holds one (has
    // taken up billing's grant, not only been granted it: on a busy machine the answer may still be
    // queued behind the requests), the rest arrive at once, so that leases, their recall and the exact
    // path all take part.
    const first = baseUrls.map((_url, index) => send(index));
    const grantsTakenUp = () => logCapture.lines.filter((line) => line.includes('"credit lease granted"') && line.includes(funded.accountId)).length;
    await waitFor(async () => (grantsTakenUp() >= baseUrls.length ? true : undefined), 10_000, "a lease on every ingress");
    const answers = Promise.all([...first, ...Array.from({ length: concurrentRequests - baseUrls.length }, (_unused, index) => send(index + baseUrls.length))]);
    // Every request decided: it reached the upstream, or it was answered without.
    await waitFor(async () => (admitted() + refused >= concurrentRequests ? true : undefined), 60_000, "every request admitted or refused").finally(openGate);
    const statuses = await answers;
    expect(unexpected.slice(0, 3)).toEqual([]);
    const counts = new Map<number, number>();
    for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 200: coveredRequests, 402: concurrentRequests - coveredRequests });

    // Settled, every lease returned (2 s idle), nothing held, never below zero, balance = Σ ledger.
    const account = await waitFor(async () => {
      const row = await stack.database.database.selectFrom("accounts").selectAll().where("id", "=", funded.accountId).executeTakeFirstOrThrow();
      const settled = await stack.database.database
        .selectFrom("reservations")
        .select((expression) => expression.fn.countAll<string>().as("count"))
        .where("account_id", "=", funded.accountId)
        .where("status", "=", "settled")
        .executeTakeFirstOrThrow();
      return row.reserved_micros === 0 && row.leased_micros === 0 && Number(settled.count) === coveredRequests ? row : undefined;
    }, 20_000, "settlement and returned leases");
    // Leases were really used: generations held against a lease carry its id in their reservation row.
    const leased = await stack.database.database
      .selectFrom("reservations")
      .select((expression) => expression.fn.count<string>("lease_id").as("count"))
      .where("account_id", "=", funded.accountId)
      .executeTakeFirstOrThrow();
    expect(Number(leased.count)).toBeGreaterThan(0);
    expect(account.balance_micros).toBeGreaterThanOrEqual(0);
    expect(await findLedgerViolations(stack.database.database)).toEqual([]);
  }

  it("through one ingress", async () => {
    await runExactly500("A", [stack.baseUrl]);
  }, 120_000);

  it("through two ingresses", async () => {
    await runExactly500("B", [stack.baseUrl, secondIngressUrl]);
  }, 120_000);
});
