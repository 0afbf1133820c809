import type { NatsConnection } from "@nats-io/transport-node";
import { checkDatabase, createDatabase, type Database } from "@switchboard/db";
import { checkNats } from "@switchboard/messaging";
import {
  defaultMetricNames,
  generationMetrics,
  httpMetrics,
  ledgerMetrics,
  messagingMetrics,
  metricNames,
  startOperationsServer,
  upstreamErrorMetrics,
  type OperationsServer,
} from "@switchboard/telemetry";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheusText, sampleSum } from "../../support/parse-prometheus-text.js";
import { testServerUrl } from "../../support/test-database.js";
import { connectTestNats } from "../../support/test-nats.js";

/** A connection string to a port where nothing listens: the database every check must find unreachable. */
const unreachableDatabaseUrl = "postgres://postgres@127.0.0.1:1/test";

describe("the operations listener (/metrics, /healthz, /readyz) of the services without an HTTP API (issue 12)", () => {
  let connection: NatsConnection;
  let database: Kysely<Database>;
  let unreachable: Kysely<Database>;
  const servers: OperationsServer[] = [];

  const start = async (readinessChecks: Parameters<typeof startOperationsServer>[0]["readinessChecks"], checkTimeoutMs?: number) => {
    const server = await startOperationsServer({ port: 0, host: "127.0.0.1", readinessChecks, ...(checkTimeoutMs === undefined ? {} : { checkTimeoutMs }) });
    servers.push(server);
    return server;
  };
  const get = async (server: OperationsServer, path: string, method = "GET") => {
    const response = await fetch(`${server.url}${path}`, { method });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get("content-type"), text };
  };

  beforeAll(async () => {
    connection = await connectTestNats("operations-server-test");
    database = createDatabase({ connectionString: testServerUrl, maxConnections: 1 });
    unreachable = createDatabase({ connectionString: unreachableDatabaseUrl, maxConnections: 1 });
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await connection?.close();
    await database?.destroy();
    await unreachable?.destroy();
  });

  it("is ready when NATS and the database answer, and says which check passed", async () => {
    const server = await start({ nats: () => checkNats(connection), database: () => checkDatabase(database) });
    const ready = await get(server, "/readyz");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: "ready", checks: { nats: true, database: true } });
    const alive = await get(server, "/healthz");
    expect(alive.status).toBe(200);
    expect(JSON.parse(alive.text)).toEqual({ status: "ok" });
  });

  it("answers 503 naming the database when the database is unreachable, and stays alive", async () => {
    const server = await start({ nats: () => checkNats(connection), database: () => checkDatabase(unreachable) });
    const ready = await get(server, "/readyz");
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: "not ready", checks: { nats: true, database: false }, failed: ["database"] });
    expect((await get(server, "/healthz")).status).toBe(200);
  });

  it("answers 503 naming NATS when the connection is closed", async () => {
    const closed = await connectTestNats("operations-server-closed");
    await closed.close();
    const server = await start({ nats: () => checkNats(closed) });
    const ready = await get(server, "/readyz");
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ checks: { nats: false }, failed: ["nats"] });
  });

  it("counts a check that hangs or throws as failed, within the check timeout", async () => {
    const server = await start({ hangs: () => new Promise<boolean>(() => undefined), throws: async () => Promise.reject(new Error("no")) }, 100);
    const startedAt = performance.now();
    const ready = await get(server, "/readyz");
    expect(performance.now() - startedAt).toBeLessThan(2_000);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ failed: ["hangs", "throws"] });
  });

  it("serves the process's registry as Prometheus text that a strict parser accepts, with every series moving as recorded", async () => {
    const server = await start({});
    const scrape = async () => {
      const answer = await get(server, "/metrics");
      expect(answer.status).toBe(200);
      expect(answer.contentType).toContain("text/plain");
      return parsePrometheusText(answer.text);
    };
    // The registry is the process's: other tests in this file (or the services) may have recorded before; compare deltas.
    const before = await scrape();
    httpMetrics().record("/api/v1/chat/completions", "POST", 200, 0.012);
    httpMetrics().record("/api/v1/chat/completions", "POST", 200, 0.5);
    generationMetrics().recordGeneration("test/echo", "primary", 1.5, 0.2, { promptTokens: 12, completionTokens: 9, reasoningTokens: 3, cachedPromptTokens: 0, cacheWriteTokens: 2 }, 0.000_03);
    generationMetrics().recordFallback("test/echo", "upstream_error");
    upstreamErrorMetrics().record("primary", "server");
    ledgerMetrics().reservationsExpired(2);
    ledgerMetrics().settlementAnomaly("no-hold");
    messagingMetrics().recordRequest("sb.billing.v1.reserve", 0.0004);
    messagingMetrics().recordRequest("sb.connector-cancel.v1.gen-0193a6b2-7c9e-7f3a-8b1c-0123456789ab", 0.0004);
    messagingMetrics().deadLettered("billing-settlement", "invalid");
    const stopReservations = ledgerMetrics().sampleOpenReservations(async () => 7);
    const stopPending = messagingMetrics().sampleConsumerPending("SWITCHBOARD_FACTS_SB", "billing-settlement", async () => 42);
    const stopFailing = messagingMetrics().sampleConsumerPending("SWITCHBOARD_FACTS_SB", "broken", async () => Promise.reject(new Error("no consumer")));
    const after = await scrape();
    stopReservations();
    stopPending();
    stopFailing();

    const moved = (name: string, labels: Record<string, string> = {}) => sampleSum(after, name, labels) - sampleSum(before, name, labels);
    const route = { route: "/api/v1/chat/completions", method: "POST", status: "200" };
    expect(moved(metricNames.httpRequests, route)).toBe(2);
    expect(moved(`${metricNames.httpRequestDuration}_count`, route)).toBe(2);
    expect(moved(`${metricNames.httpRequestDuration}_bucket`, { ...route, le: "0.025" })).toBe(1);
    expect(moved(`${metricNames.httpRequestDuration}_sum`, route)).toBeCloseTo(0.512, 6);
    const served = { model: "test/echo", provider: "primary" };
    expect(moved(`${metricNames.generationDuration}_count`, served)).toBe(1);
    expect(moved(`${metricNames.generationTimeToFirstToken}_sum`, served)).toBeCloseTo(0.2, 6);
    expect(moved(metricNames.generationTokens, { ...served, type: "input" })).toBe(12);
    expect(moved(metricNames.generationTokens, { ...served, type: "output" })).toBe(9);
    expect(moved(metricNames.generationTokens, { ...served, type: "reasoning" })).toBe(3);
    expect(moved(metricNames.generationTokens, { ...served, type: "cache_write" })).toBe(2);
    expect(moved(metricNames.generationTokens, { ...served, type: "cached_input" })).toBe(0);
    expect(moved(metricNames.generationCost, served)).toBeCloseTo(0.000_03, 12);
    expect(moved(metricNames.fallbacks, { model: "test/echo", reason: "upstream_error" })).toBe(1);
    expect(moved(metricNames.upstreamErrors, { provider: "primary", class: "server" })).toBe(1);
    expect(moved(metricNames.ledgerReservationsExpired)).toBe(2);
    expect(moved(metricNames.settlementAnomalies, { reason: "no-hold" })).toBe(1);
    expect(sampleSum(after, metricNames.ledgerReservationsOpen)).toBe(7);
    expect(sampleSum(after, metricNames.jetstreamConsumerPending, { stream: "SWITCHBOARD_FACTS_SB", consumer: "billing-settlement" })).toBe(42);
    expect(moved(metricNames.deadLetters, { consumer: "billing-settlement", reason: "invalid" })).toBe(1);
    expect(moved(`${metricNames.natsRequestDuration}_count`, { subject: "sb.billing.v1.reserve" })).toBe(1);
    // A per-request token never becomes a label value.
    expect(moved(`${metricNames.natsRequestDuration}_count`, { subject: "sb.connector-cancel.v1.*" })).toBe(1);
    expect(after.get(metricNames.natsRequestDuration)?.samples.some((sample) => (sample.labels["subject"] ?? "").includes("gen-"))).toBe(false);
    // A consumer whose info fails is left out rather than failing the scrape.
    expect(after.get(metricNames.jetstreamConsumerPending)?.samples.some((sample) => sample.labels["consumer"] === "broken")).toBe(false);
    // prom-client's defaults, event-loop lag among them.
    for (const name of Object.values(defaultMetricNames)) expect(after.has(name), name).toBe(true);
  });

  it("answers 404 elsewhere and 405 to anything but GET", async () => {
    const server = await start({});
    expect((await get(server, "/nothing")).status).toBe(404);
    expect((await get(server, "/metrics", "POST")).status).toBe(405);
    expect((await get(server, "/metrics", "HEAD")).status).toBe(200);
  });
});
