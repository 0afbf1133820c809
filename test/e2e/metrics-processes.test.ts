import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { metricNames } from "@switchboard/telemetry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperationsServiceName } from "../../tools/launcher/src/service-environment.js";
import { createLockedDownNatsServer } from "../support/locked-down-nats-server.js";
import { parsePrometheusText, sampleSum, type PrometheusFamily } from "../support/parse-prometheus-text.js";
import type { PrivateNatsServer } from "../support/private-nats-server.js";
import { processStackModel, processStackNamespace, startProcessStack, type ProcessStack } from "../support/process-stack.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { waitFor } from "../support/wait-for.js";

type Scrape = Map<string, PrometheusFamily>;

/**
 * Issue 12: every service, run as its own process from its main.ts as deployed (OPERATIONS_PORT from the
 * launcher's environment), answers /healthz, /readyz and /metrics, and each process's own series move by
 * exactly the requests sent: ingress's HTTP and generation series, the connector's upstream errors, and
 * billing's and metadata-logging's consumers, whose lag comes back to zero.
 */
describe("each service's own /metrics, as processes (issue 12)", () => {
  let directory = "";
  let nats: PrivateNatsServer | undefined;
  let database: TestDatabase | undefined;
  let stack: ProcessStack | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "switchboard-metrics-"));
    const lockedDown = await createLockedDownNatsServer({ directory, namespace: processStackNamespace });
    nats = lockedDown.server;
    await nats.start();
    database = await createTestDatabase();
    stack = await startProcessStack({
      natsUrl: nats.url,
      databaseUrl: database.connectionString,
      directory,
      busSeedFiles: lockedDown.seedFiles,
      operationsListeners: true,
      environment: { OPERATIONS_HOST: "127.0.0.1" },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.kill();
    await nats?.stop();
    await database?.drop();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const urlOf = (service: OperationsServiceName | "ingress") => {
    if (!stack) throw new Error("stack not started");
    if (service === "ingress") return stack.origin;
    const url = stack.operationsUrls[service];
    if (url === undefined) throw new Error(`${service} has no operations listener`);
    return url;
  };
  const scrape = async (service: OperationsServiceName | "ingress"): Promise<Scrape> => {
    const response = await fetch(`${urlOf(service)}/metrics`);
    expect(response.status, service).toBe(200);
    return parsePrometheusText(await response.text());
  };

  it("answers liveness and readiness on each service's operations port, naming its checks", async () => {
    const expectations: Array<[OperationsServiceName, Record<string, boolean>]> = [
      ["router", { nats: true, database: true }],
      ["provider-connector", { nats: true }],
      ["billing", { nats: true, database: true }],
      ["metadata-logging", { nats: true, database: true }],
    ];
    for (const [service, checks] of expectations) {
      // Each listens once its service has started; ingress may be ready a moment before the last of them.
      await waitFor(async () => ((await fetch(`${urlOf(service)}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined), 10_000, `${service} listening`);
      const ready = await fetch(`${urlOf(service)}/readyz`);
      expect(ready.status, service).toBe(200);
      expect(await ready.json(), service).toEqual({ status: "ready", checks });
    }
  });

  it("moves each process's own series by exactly the requests sent", async () => {
    if (!stack) throw new Error("stack not started");
    const { key } = await stack.createFundedKey("10.00");
    const complete = async (prompt: string) => {
      const response = await fetch(`${stack?.origin}/api/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: processStackModel, messages: [{ role: "user", content: prompt }] }),
      });
      await response.arrayBuffer();
      return response.status;
    };
    expect(await complete("warm up")).toBe(200);
    const lagOf = (scrape: Scrape) => sampleSum(scrape, metricNames.jetstreamConsumerPending);
    await waitFor(async () => (lagOf(await scrape("billing")) === 0 && lagOf(await scrape("metadata-logging")) === 0 ? true : undefined), 10_000, "the warm-up consumed");

    const before = { ingress: await scrape("ingress"), connector: await scrape("provider-connector") };
    const successes = 3;
    stack.upstream.addRule("metrics process success", { text: "fine", usage: { prompt_tokens: 7, completion_tokens: 3 } });
    stack.upstream.addRule("metrics process failure", { status: 503 });
    for (let index = 0; index < successes; index++) expect(await complete("metrics process success")).toBe(200);
    // The only endpoint fails: nothing to fall back to, the client gets the provider's error.
    expect(await complete("metrics process failure")).toBeGreaterThanOrEqual(500);

    const after = { ingress: await scrape("ingress"), connector: await scrape("provider-connector") };
    const moved = (which: "ingress" | "connector", name: string, labels: Record<string, string> = {}) => sampleSum(after[which], name, labels) - sampleSum(before[which], name, labels);
    const chat = { route: "/api/v1/chat/completions", method: "POST" };
    expect(moved("ingress", metricNames.httpRequests, { ...chat, status: "200" })).toBe(successes);
    expect(moved("ingress", metricNames.httpRequests, chat)).toBe(successes + 1);
    const served = { model: processStackModel, provider: "fake" };
    expect(moved("ingress", `${metricNames.generationDuration}_count`, served)).toBe(successes + 1);
    expect(moved("ingress", metricNames.generationTokens, { ...served, type: "input" })).toBe(successes * 7);
    expect(moved("ingress", metricNames.generationTokens, { ...served, type: "output" })).toBe(successes * 3);
    expect(moved("connector", metricNames.upstreamErrors, { provider: "fake", class: "server" })).toBe(1);
    expect(moved("connector", metricNames.upstreamErrors)).toBe(1);

    // Each process exports its own series: the connector records no HTTP requests, ingress no upstream errors.
    expect(after.connector.has(metricNames.httpRequests)).toBe(false);
    expect(after.ingress.has(metricNames.upstreamErrors)).toBe(false);
    // Billing and metadata-logging take every fact: their own consumers' lag comes back to zero.
    await waitFor(
      async () => {
        const billing = await scrape("billing");
        const logging = await scrape("metadata-logging");
        const consumersOf = (scrape: Scrape) => (scrape.get(metricNames.jetstreamConsumerPending)?.samples ?? []).map((sample) => sample.labels["consumer"]).sort();
        expect(consumersOf(billing)).toEqual(["billing-settlement", "billing-usage-reports"]);
        expect(consumersOf(logging)).toEqual(["metadata-logging", "metadata-logging-usage-reports"]);
        expect(billing.has(metricNames.ledgerReservationsOpen)).toBe(true);
        expect(logging.has(metricNames.ledgerReservationsOpen)).toBe(false);
        return lagOf(billing) === 0 && lagOf(logging) === 0 ? true : undefined;
      },
      10_000,
      "billing and metadata-logging caught up",
    );
    for (const service of ["router", "provider-connector", "billing", "metadata-logging"] as const) {
      expect((await scrape(service)).has("nodejs_eventloop_lag_seconds"), service).toBe(true);
    }
  });
});
