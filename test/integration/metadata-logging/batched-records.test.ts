import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { createSubjects, type Subjects } from "@switchboard/contracts";
import { ensureFactsStream, FactPublisher } from "@switchboard/messaging";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertGenerations } from "../../../services/metadata-logging/src/repositories/generations.js";
import { startMetadataLogging, type MetadataLoggingService } from "../../../services/metadata-logging/src/start-metadata-logging.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
import { waitFor } from "../../support/wait-for.js";
import { completedFact } from "../../support/completed-fact.js";

// Issue 7: metadata-logging writes a batch of facts in one multi-row statement; a fact its columns
// cannot hold goes to the dead-letter stream (issue 10), and one the database refuses does not hold back
// the rest of its batch.
describe("metadata-logging records facts in batches", () => {
  const capture: LogCapture = { lines: [] };
  let testDatabase: TestDatabase;
  let connection: NatsConnection;
  let subjects: Subjects;
  let service: MetadataLoggingService | undefined;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    connection = await connectTestNats("metadata-logging-batches");
    subjects = createSubjects(uniqueNamespace("logb"));
  });
  afterAll(async () => {
    await service?.stop();
    if (connection) {
      await (await jetstreamManager(connection)).streams.delete(subjects.factsStream).catch(() => undefined);
      await (await jetstreamManager(connection)).streams.delete(subjects.deadLetterStream).catch(() => undefined);
      await connection.drain();
    }
    await testDatabase?.drop();
  });

  it("records the valid facts of one batch together, dead-letters the unrecordable one and retries the refused one", async () => {
    // Each recorded with latency 100 ms; the redelivery below says 9 ms and must not replace it.
    const valid = Array.from({ length: 50 }, () => completedFact({ latencyMs: 100 }));
    const unrecordable = completedFact({ accountId: "not-a-uuid" });
    // Fits the contract but not the integer column: PostgreSQL refuses the whole statement.
    const refused = completedFact({ latencyMs: 2 ** 31 });
    // Published before the consumer starts, so they arrive together, in one batch.
    await ensureFactsStream(connection, subjects);
    const publisher = new FactPublisher(connection, { logger: testLogger("publisher") });
    for (const [index, fact] of valid.entries()) {
      if (index === 10) void publisher.publish(subjects.generationCompleted, unrecordable, unrecordable.generationId);
      if (index === 20) void publisher.publish(subjects.generationCompleted, refused, refused.generationId);
      void publisher.publish(subjects.generationCompleted, fact, fact.generationId);
      // A redelivery inside the same batch keeps the first row.
      if (index === 30) void publisher.publish(subjects.generationCompleted, { ...fact, latencyMs: 9 }, `${fact.generationId}#again`);
    }
    await publisher.pending();
    service = await startMetadataLogging({ connection, database: testDatabase.database, subjects, logger: testLogger("metadata-logging", capture) });

    const recorded = () =>
      testDatabase.database.selectFrom("generations").select(["id", "latency_ms"]).where("id", "in", [...valid, unrecordable, refused].map((fact) => fact.generationId)).execute();
    await waitFor(async () => ((await recorded()).length === 50 ? true : undefined), 10_000, "50 generations recorded");
    const rows = await recorded();
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(valid.map((fact) => fact.generationId)));
    expect(rows.every((row) => row.latency_ms === 100)).toBe(true);
    expect(capture.lines.some((line) => line.includes("fact moved to the dead-letter stream") && line.includes("accountId is not a UUID"))).toBe(true);
    expect(service?.deadLetters.snapshot()).toEqual({
      [subjects.loggingConsumer]: { "not-json": 0, invalid: 1, "failed-repeatedly": 0 },
      [subjects.loggingUsageReportConsumer]: { "not-json": 0, invalid: 0, "failed-repeatedly": 0 },
    });
    expect(capture.lines.some((line) => line.includes("fact batch failed, handling its facts one by one"))).toBe(true);

    // The refused fact is nak'ed and comes back, as a failing fact always did; everything else is acknowledged.
    const manager = await jetstreamManager(connection);
    await waitFor(async () => ((await manager.consumers.info(subjects.factsStream, subjects.loggingConsumer)).num_redelivered >= 1 ? true : undefined), 5_000, "a redelivery");
    const info = await manager.consumers.info(subjects.factsStream, subjects.loggingConsumer);
    expect(info.num_pending + info.num_ack_pending).toBe(1);
  });

  it("writes a batch in one statement, and the consumer writes a burst in a few batches, not per fact", async () => {
    const writers = async (ids: string[]) =>
      (await sql<{ writers: number }>`SELECT count(DISTINCT xmin::text)::int AS writers FROM generations WHERE id = ANY(${ids}::text[])`.execute(testDatabase.database)).rows[0]?.writers;
    const direct = Array.from({ length: 200 }, () => completedFact());
    expect(await insertGenerations(testDatabase.database, [...direct, ...direct.slice(0, 20)])).toBe(200);
    expect(await writers(direct.map((fact) => fact.generationId))).toBe(1);

    await service?.stop();
    // A stream of its own, without the refused fact of the test above coming back into a batch.
    await (await jetstreamManager(connection)).streams.delete(subjects.factsStream);
    await (await jetstreamManager(connection)).streams.delete(subjects.deadLetterStream);
    subjects = createSubjects(uniqueNamespace("logb"));
    await ensureFactsStream(connection, subjects);
    const facts = Array.from({ length: 400 }, () => completedFact());
    const publisher = new FactPublisher(connection, { logger: testLogger("publisher") });
    for (const fact of facts) void publisher.publish(subjects.generationCompleted, fact, fact.generationId);
    await publisher.pending();
    service = await startMetadataLogging({ connection, database: testDatabase.database, subjects, logger: testLogger("metadata-logging") });
    const ids = facts.map((fact) => fact.generationId);
    await waitFor(
      async () => ((await testDatabase.database.selectFrom("generations").select("id").where("id", "in", ids).execute()).length === 400 ? true : undefined),
      10_000,
      "400 generations recorded",
    );
    // At most 200 per batch; a few more when the machine is slow enough to close a batch after 5 ms.
    const transactions = await writers(ids);
    expect(transactions).toBeGreaterThanOrEqual(2);
    expect(transactions).toBeLessThanOrEqual(20);
  });
});
