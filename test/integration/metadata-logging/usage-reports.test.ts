import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { computeCostMicros, createSubjects, type Subjects } from "@switchboard/contracts";
import { FactPublisher } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneUnusedUsageReports } from "../../../services/metadata-logging/src/repositories/logging-usage-reports.js";
import { startMetadataLogging, type MetadataLoggingService } from "../../../services/metadata-logging/src/start-metadata-logging.js";
import { completedFact } from "../../support/completed-fact.js";
import { testLogger } from "../../support/silent-logger.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { usageReport } from "../../support/usage-report.js";
import { waitFor, waitForConsumerIdle } from "../billing/billing-test-kit.js";
import { randomUUID } from "node:crypto";
import { sql } from "kysely";

const graceSeconds = 0.5;

describe("metadata-logging of connector usage reports (issue 10)", () => {
  let testDatabase: TestDatabase;
  let connection: NatsConnection;
  let subjects: Subjects;
  let service: MetadataLoggingService;
  let publisher: FactPublisher;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    connection = await connectTestNats("usage-report-logging-test");
    subjects = createSubjects(uniqueNamespace("ulog"));
    service = await startMetadataLogging({ connection, database: testDatabase.database, subjects, logger: testLogger("metadata-logging"), usageReportGraceSeconds: graceSeconds });
    publisher = new FactPublisher(connection, { logger: testLogger("publisher") });
  });
  afterAll(async () => {
    await service?.stop();
    if (connection) {
      const manager = await jetstreamManager(connection);
      await manager.streams.delete(subjects.factsStream).catch(() => undefined);
      await manager.streams.delete(subjects.deadLetterStream).catch(() => undefined);
      await connection.drain();
    }
    await testDatabase?.drop();
  });

  const rowsOf = (generationId: string) => testDatabase.database.selectFrom("generations").selectAll().where("id", "=", generationId).execute();
  const resolved = (generationId: string) =>
    waitFor(async () => {
      const row = await testDatabase.database.selectFrom("logging_usage_reports").select("resolved_at").where("generation_id", "=", generationId).executeTakeFirst();
      return row?.resolved_at != null;
    });

  const storedReport = (generationId: string) =>
    testDatabase.database.selectFrom("logging_usage_reports").selectAll().where("generation_id", "=", generationId).executeTakeFirst();

  it("records a generation from its highest attempt's report, whatever order the attempts' reports arrive in", async () => {
    const whole = usageReport({ origin: { attempt: 1 } });
    const partial = usageReport({
      generationId: whole.generationId,
      origin: { ...whole.origin, attempt: 0 },
      outcome: "aborted",
      finishReason: null,
      usage: { ...whole.usage, completionTokens: 10 },
    });
    await publisher.publish(subjects.connectorUsageReported, partial, `${whole.generationId}:0`);
    await waitFor(async () => (await storedReport(whole.generationId)) !== undefined);
    await publisher.publish(subjects.connectorUsageReported, whole, `${whole.generationId}:1`);
    await resolved(whole.generationId);
    expect(await rowsOf(whole.generationId)).toEqual([expect.objectContaining({ tokens_completion: 1000, cost_micros: computeCostMicros(whole.usage, whole.price) })]);

    const other = { ...whole, generationId: `gen-${randomUUID()}` };
    await publisher.publish(subjects.connectorUsageReported, other, `${other.generationId}:1`);
    await publisher.publish(subjects.connectorUsageReported, { ...partial, generationId: other.generationId }, `${other.generationId}:0`);
    await resolved(other.generationId);
    expect(await rowsOf(other.generationId)).toEqual([expect.objectContaining({ tokens_completion: 1000 })]);
  });

  it("records the API an embeddings attempt's report names, and completions for a report older than the field (issue 11)", async () => {
    const embeddings = usageReport({ apiType: "embeddings", streamed: false });
    const older = usageReport();
    delete older.apiType;
    await publisher.publish(subjects.connectorUsageReported, embeddings, `${embeddings.generationId}:0`);
    await publisher.publish(subjects.connectorUsageReported, older, `${older.generationId}:0`);
    await resolved(embeddings.generationId);
    await resolved(older.generationId);
    expect(await rowsOf(embeddings.generationId)).toEqual([expect.objectContaining({ api_type: "embeddings" })]);
    expect(await rowsOf(older.generationId)).toEqual([expect.objectContaining({ api_type: "completions" })]);
  });

  it("marks a stored report that no longer parses as unparsable, keeps it, and records the reports behind it", async () => {
    const brokenId = `gen-${randomUUID()}`;
    await sql`
      INSERT INTO logging_usage_reports (generation_id, report, received_at) VALUES (${brokenId}, '{"generationId": "broken"}'::jsonb, now() - interval '1 hour')
    `.execute(testDatabase.database);
    const valid = usageReport();
    await publisher.publish(subjects.connectorUsageReported, valid, `${valid.generationId}:0`);
    await resolved(valid.generationId);
    expect(await rowsOf(valid.generationId)).toHaveLength(1);
    expect(await storedReport(brokenId)).toMatchObject({ unparsable: true, recorded: false, resolved_at: expect.any(Date) });
    expect(await rowsOf(brokenId)).toEqual([]);
    await pruneUnusedUsageReports(testDatabase.database, new Date(Date.now() + 60_000));
    expect(await storedReport(brokenId)).toBeDefined();
  });

  it("does not store a report whose generation a completion fact already recorded", async () => {
    const report = usageReport();
    const fact = completedFact({ generationId: report.generationId, accountId: report.origin.accountId, keyId: report.origin.keyId });
    await publisher.publish(subjects.generationCompleted, fact, fact.generationId);
    await waitFor(async () => (await rowsOf(report.generationId)).length === 1);
    await publisher.publish(subjects.connectorUsageReported, report, `${report.generationId}:0`);
    await waitForConsumerIdle(connection, subjects.factsStream, subjects.loggingUsageReportConsumer);
    expect(await storedReport(report.generationId)).toBeUndefined();
    expect(await rowsOf(report.generationId)).toEqual([expect.objectContaining({ status: "success" })]);
  });

  it("records a generation from its report, once and as abandoned, when no completion fact came within the grace period", async () => {
    const report = usageReport({ outcome: "aborted", ingressSilent: true, finishReason: null, usageEstimated: true });
    const publishedAt = Date.now();
    await publisher.publish(subjects.connectorUsageReported, report, `${report.generationId}:0`);
    await publisher.publish(subjects.connectorUsageReported, report, `${report.generationId}:again`);
    await resolved(report.generationId);
    expect(Date.now() - publishedAt).toBeGreaterThanOrEqual(graceSeconds * 1000);
    const rows = await rowsOf(report.generationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      account_id: report.origin.accountId,
      key_id: report.origin.keyId,
      status: "abandoned",
      cancelled: true,
      usage_estimated: true,
      tokens_prompt: 1000,
      tokens_completion: 1000,
      cost_micros: computeCostMicros(report.usage, report.price),
      endpoint_id: report.endpointId,
    });
    // Ingress's fact arriving later changes nothing.
    await publisher.publish(subjects.generationCompleted, completedFact({ generationId: report.generationId, accountId: report.origin.accountId, keyId: report.origin.keyId }), report.generationId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rowsOf(report.generationId)).toEqual(rows);
  });

  it("keeps ingress's record when its completion fact came, and records the generation once", async () => {
    const report = usageReport();
    const fact = completedFact({ generationId: report.generationId, accountId: report.origin.accountId, keyId: report.origin.keyId });
    // The report first (the usual order): it is stored, and the fact records the generation meanwhile.
    await publisher.publish(subjects.connectorUsageReported, report, `${report.generationId}:0`);
    await waitFor(async () => (await storedReport(report.generationId)) !== undefined);
    await publisher.publish(subjects.generationCompleted, fact, fact.generationId);
    await resolved(report.generationId);
    const rows = await rowsOf(report.generationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "success", upstream_id: fact.upstreamId });
    const stored = await testDatabase.database.selectFrom("logging_usage_reports").selectAll().where("generation_id", "=", report.generationId).executeTakeFirstOrThrow();
    expect(stored.recorded).toBe(false);
    // Such a report is deleted after its retention; one that made the record is kept.
    expect(await pruneUnusedUsageReports(testDatabase.database, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    const left = await testDatabase.database.selectFrom("logging_usage_reports").select(["generation_id", "recorded", "unparsable"]).execute();
    expect(left.some((row) => row.generation_id === report.generationId)).toBe(false);
    expect(left.every((row) => row.recorded === true || row.unparsable)).toBe(true);
  });
});
