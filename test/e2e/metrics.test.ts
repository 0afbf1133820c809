import OpenAI from "openai";
import { checkDatabase } from "@switchboard/db";
import { metricNames, startOperationsServer, subjectPattern, type OperationsServer } from "@switchboard/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheusText, sampleSum, type PrometheusFamily } from "../support/parse-prometheus-text.js";
import { startStack, testPrices, type TestStack } from "../support/start-stack.js";
import { waitFor } from "../support/wait-for.js";

type Scrape = Map<string, PrometheusFamily>;

/**
 * Issue 12's acceptance for metrics: after a known number of requests (successes, one fallback, one upstream
 * error) every series moves by exactly what they did, on the scrape of ingress's /metrics and of the
 * operations listener the other services use. The whole stack runs in this process, so both show the one
 * registry of the process; test/e2e/metrics-processes.test.ts scrapes each service's own process.
 */
describe("metrics after a known number of requests (issue 12)", () => {
  let stack: TestStack;
  let operations: OperationsServer;
  let origin: string;

  const scrape = async (url: string): Promise<Scrape> => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    return parsePrometheusText(await response.text());
  };

  beforeAll(async () => {
    stack = await startStack({ health: { outcomeReportIntervalMs: 100 } });
    origin = new URL(stack.baseUrl).origin;
    operations = await startOperationsServer({ port: 0, host: "127.0.0.1", readinessChecks: { database: () => checkDatabase(stack.database.database) } });
  });

  afterAll(async () => {
    await operations?.close();
    await stack?.stop();
  });

  it("moves each counter by exactly the requests sent", async () => {
    const { key } = await stack.createFundedKey("10.00");
    const client = new OpenAI({ apiKey: key, baseURL: stack.baseUrl, maxRetries: 0 });
    // One request first, so what authenticating the key and taking a lease costs is behind us.
    stack.primary.addRule("warm-up", { text: "warm", usage: { prompt_tokens: 1, completion_tokens: 1 } });
    await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "warm-up" }] });
    await waitFor(async () => ((await pendingOf(await scrape(`${origin}/metrics`))) === 0 ? true : undefined), 10_000, "the warm-up settled and recorded");

    const before = await scrape(`${origin}/metrics`);
    const successes = 3;
    const pinPrimary = { provider: { order: ["primary", "backup"] } };
    stack.primary.addRule("metrics-success", { text: "fine", usage: { prompt_tokens: 10, completion_tokens: 5, reasoning_tokens: 2, cached_tokens: 4 } });
    for (let index = 0; index < successes; index++) {
      await client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "metrics-success" }], ...pinPrimary } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    }
    // One upstream error that reaches the client: a 400 is the request's fault, so no other provider is tried.
    // The primary is pinned first: an earlier failure in the stack may have lowered its rank.
    stack.primary.addRule("metrics-client-error", { status: 400 });
    await expect(
      client.chat.completions.create({ model: "test/echo", messages: [{ role: "user", content: "metrics-client-error" }], ...pinPrimary } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    ).rejects.toMatchObject({ status: 400 });
    // One fallback: the primary fails with a 500, the backup answers (streamed).
    stack.primary.addRule("metrics-fallback", { status: 500 });
    stack.backup.addRule("metrics-fallback", { text: "from the backup", usage: { prompt_tokens: 12, completion_tokens: 9 } });
    let streamed = "";
    const stream = await client.chat.completions.create({
      model: "test/echo",
      messages: [{ role: "user", content: "metrics-fallback" }],
      stream: true,
      ...pinPrimary,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe("from the backup");

    // Settlement and records happen after the answers: wait until both consumers have taken every fact.
    let after: Scrape = before;
    await waitFor(
      async () => {
        after = await scrape(`${origin}/metrics`);
        const answered = sampleSum(after, metricNames.httpRequests, { route: "/api/v1/chat/completions" }) - sampleSum(before, metricNames.httpRequests, { route: "/api/v1/chat/completions" });
        return answered === successes + 2 && pendingOf(after) === 0 ? true : undefined;
      },
      10_000,
      "every request answered and every fact consumed",
    );
    const moved = (name: string, labels: Record<string, string> = {}) => sampleSum(after, name, labels) - sampleSum(before, name, labels);

    // Ingress, HTTP: four answers of 200 and one 400 on the chat route, timed each.
    const chat = { route: "/api/v1/chat/completions", method: "POST" };
    expect(moved(metricNames.httpRequests, { ...chat, status: "200" })).toBe(successes + 1);
    expect(moved(metricNames.httpRequests, { ...chat, status: "400" })).toBe(1);
    expect(moved(`${metricNames.httpRequestDuration}_count`, chat)).toBe(successes + 2);
    // Never a raw URL as a route.
    for (const sample of after.get(metricNames.httpRequests)?.samples ?? []) expect(sample.labels["route"]).not.toMatch(/\?|gen-/);

    // Ingress, generations: by the endpoint that served (or failed last).
    const primary = { model: "test/echo", provider: "primary" };
    const backup = { model: "test/echo", provider: "backup" };
    expect(moved(`${metricNames.generationDuration}_count`, primary)).toBe(successes + 1);
    expect(moved(`${metricNames.generationDuration}_count`, backup)).toBe(1);
    expect(moved(`${metricNames.generationTimeToFirstToken}_count`, primary)).toBe(successes);
    expect(moved(`${metricNames.generationTimeToFirstToken}_count`, backup)).toBe(1);
    expect(moved(metricNames.generationTokens, { ...primary, type: "input" })).toBe(successes * 10);
    expect(moved(metricNames.generationTokens, { ...primary, type: "output" })).toBe(successes * 5);
    expect(moved(metricNames.generationTokens, { ...primary, type: "reasoning" })).toBe(successes * 2);
    expect(moved(metricNames.generationTokens, { ...primary, type: "cached_input" })).toBe(successes * 4);
    expect(moved(metricNames.generationTokens, { ...backup, type: "input" })).toBe(12);
    expect(moved(metricNames.generationTokens, { ...backup, type: "output" })).toBe(9);
    const backupCost = 12 * Number(testPrices.backup.prompt) + 9 * Number(testPrices.backup.completion);
    expect(moved(metricNames.generationCost, backup)).toBeCloseTo(backupCost, 9);
    expect(moved(metricNames.generationCost, primary)).toBeGreaterThan(0);
    expect(moved(metricNames.fallbacks, { model: "test/echo" })).toBe(1);
    expect(moved(metricNames.fallbacks, { model: "test/echo", reason: "upstream_error" })).toBe(1);

    // Provider connector: the 500 and the 400, each by its class.
    expect(moved(metricNames.upstreamErrors, { provider: "primary", class: "server" })).toBe(1);
    expect(moved(metricNames.upstreamErrors, { provider: "primary", class: "client" })).toBe(1);
    expect(moved(metricNames.upstreamErrors, { provider: "backup" })).toBe(0);
    expect(moved(metricNames.upstreamErrors)).toBe(2);

    // Billing and metadata-logging: no fact dead-lettered, no anomaly, no reservation expired; lag back to zero.
    expect(moved(metricNames.deadLetters)).toBe(0);
    expect(moved(metricNames.settlementAnomalies)).toBe(0);
    expect(moved(metricNames.ledgerReservationsExpired)).toBe(0);
    const consumers = (after.get(metricNames.jetstreamConsumerPending)?.samples ?? []).filter((sample) => sample.labels["stream"] === stack.subjects.factsStream);
    expect(consumers.map((sample) => sample.labels["consumer"]).sort()).toEqual(
      [stack.subjects.billingConsumer, stack.subjects.billingUsageReportConsumer, stack.subjects.loggingConsumer, stack.subjects.loggingUsageReportConsumer].sort(),
    );
    expect(after.get(metricNames.ledgerReservationsOpen)?.samples).toHaveLength(1);
    for (const reason of ["not-json", "invalid", "failed-repeatedly"]) {
      expect(after.get(metricNames.deadLetters)?.samples.some((sample) => sample.labels["consumer"] === stack.subjects.billingConsumer && sample.labels["reason"] === reason), reason).toBe(true);
    }

    // NATS requests by subject pattern only: no inbox, generation or account id in a label.
    for (const sample of after.get(metricNames.natsRequestDuration)?.samples ?? []) {
      const subject = sample.labels["subject"] ?? "";
      expect(subjectPattern(subject)).toBe(subject);
      expect(subject).not.toMatch(/_INBOX|gen-|[0-9a-f]{8}-[0-9a-f]{4}-/);
    }

    // The operations listener serves the same registry, and labels hold no secret.
    const fromOperations = await fetch(`${operations.url}/metrics`).then((response) => response.text());
    parsePrometheusText(fromOperations);
    expect(sampleSum(parsePrometheusText(fromOperations), metricNames.upstreamErrors)).toBe(sampleSum(after, metricNames.upstreamErrors));
    const everything = `${fromOperations}\n${await fetch(`${origin}/metrics`).then((response) => response.text())}`;
    for (const secret of [key, "sk-primary-test", "sk-backup-test", stack.adminKey, "metrics-success", "from the backup"]) expect(everything).not.toContain(secret);
  });

  it("counts a streamed request whose client went away before its end", async () => {
    const { key } = await stack.createFundedKey("10.00");
    stack.primary.addRule("metrics-abandoned", { chunks: ["one ", "two ", "three ", "four ", "five "], delayBetweenChunksMs: 300 });
    const chat = { route: "/api/v1/chat/completions", method: "POST" };
    const before = await scrape(`${origin}/metrics`);
    const abort = new AbortController();
    const response = await fetch(`${stack.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "test/echo", messages: [{ role: "user", content: "metrics-abandoned" }], stream: true, provider: { order: ["primary"] } }),
      signal: abort.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    abort.abort();
    await reader?.cancel().catch(() => undefined);
    await waitFor(
      async () => {
        const after = await scrape(`${origin}/metrics`);
        return sampleSum(after, metricNames.httpRequests, chat) - sampleSum(before, metricNames.httpRequests, chat) === 1 ? true : undefined;
      },
      5_000,
      "the abandoned request counted",
    );
    const after = await scrape(`${origin}/metrics`);
    // As status 499 (client closed request): the response never ended.
    expect(sampleSum(after, metricNames.httpRequests, { ...chat, status: "499" }) - sampleSum(before, metricNames.httpRequests, { ...chat, status: "499" })).toBe(1);
    expect(sampleSum(after, `${metricNames.httpRequestDuration}_count`, chat) - sampleSum(before, `${metricNames.httpRequestDuration}_count`, chat)).toBe(1);
  });

  it("keeps serving readiness on the operations listener", async () => {
    const ready = await fetch(`${operations.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  /** Undelivered facts of every consumer of the stack's facts stream; -1 before the first sample. */
  function pendingOf(scrape: Scrape): number {
    const samples = (scrape.get(metricNames.jetstreamConsumerPending)?.samples ?? []).filter((sample) => sample.labels["stream"] === stack.subjects.factsStream);
    if (samples.length === 0) return -1;
    return samples.reduce((sum, sample) => sum + sample.value, 0);
  }
});
