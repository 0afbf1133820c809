import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { createSubjects } from "@switchboard/contracts";
import { consumeFactBatches, ensureFactsStream, FactPublisher } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { testLogger } from "../../support/silent-logger.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { waitFor } from "../../support/wait-for.js";

describe("facts on JetStream", () => {
  let connection: NatsConnection;
  const subjects = createSubjects(uniqueNamespace("msg"));

  beforeAll(async () => {
    connection = await connectTestNats();
  });

  afterAll(async () => {
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(subjects.factsStream).catch(() => undefined);
    await connection.close();
  });

  it("reuses a stream that already exists, even with another configuration", async () => {
    const manager = await jetstreamManager(connection);
    await manager.streams.add({ name: subjects.factsStream, subjects: [`${subjects.namespace}.facts.v1.>`], storage: StorageType.File, max_age: nanos(60_000) });
    await ensureFactsStream(connection, subjects);
    await ensureFactsStream(connection, subjects);
    const info = await manager.streams.info(subjects.factsStream);
    expect(info.config.max_age).toBe(nanos(7 * 24 * 3600 * 1000));
    expect(info.config.duplicate_window).toBe(nanos(120_000));
  });

  it("de-duplicates republished facts and delivers each once to a durable consumer that is reused", async () => {
    const manager = await ensureFactsStream(connection, subjects);
    const publisher = new FactPublisher(connection, { logger: testLogger("publisher") });
    for (let index = 0; index < 20; index++) {
      for (let copy = 0; copy < 3; copy++) void publisher.publish(subjects.generationCompleted, { index }, `fact-${index}`);
    }
    await publisher.pending();
    const seen: number[] = [];
    const options = {
      manager,
      stream: subjects.factsStream,
      durableName: "test-consumer",
      filterSubject: subjects.generationCompleted,
      schema: z.object({ index: z.number() }),
      handleBatch: async (facts: Array<{ index: number }>) => void seen.push(...facts.map((fact) => fact.index)),
      handleOne: async (fact: { index: number }) => void seen.push(fact.index),
      isOutage: () => false,
      logger: testLogger("consumer"),
    };
    const first = await consumeFactBatches(connection, options);
    await waitFor(async () => (seen.length >= 20 ? true : undefined), 5_000, "20 facts");
    await first.stop();
    // A second start (a restart, or another replica) binds to the same durable and sees nothing again.
    const second = await consumeFactBatches(connection, options);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await second.stop();
    expect(seen.sort((left, right) => left - right)).toEqual(Array.from({ length: 20 }, (_value, index) => index));
  });

  it("hands facts over in batches, terminates what is not a fact, and retries a batch that met an outage whole", async () => {
    const manager = await ensureFactsStream(connection, subjects);
    const subject = `${subjects.namespace}.facts.v1.batch-test`;
    const publisher = new FactPublisher(connection, { logger: testLogger("publisher") });
    for (let index = 0; index < 450; index++) {
      void publisher.publish(subject, { index }, `batch-${index}`);
      if (index === 100) void publisher.publish(subject, { index: "not a number" }, "batch-invalid");
    }
    await publisher.pending();
    await jetstream(connection).publish(subject, "not json", { msgID: "batch-not-json" });

    const batchSizes: number[] = [];
    const seen: number[] = [];
    let outages = 1;
    let handledOneByOne = 0;
    const consumer = await consumeFactBatches(connection, {
      manager,
      stream: subjects.factsStream,
      durableName: "batch-test-consumer",
      filterSubject: subject,
      schema: z.object({ index: z.number() }),
      handleBatch: async (facts: Array<{ index: number }>) => {
        if (outages-- > 0) throw new Error("database down");
        batchSizes.push(facts.length);
        seen.push(...facts.map((fact) => fact.index));
      },
      handleOne: async () => void handledOneByOne++,
      isOutage: (error) => error instanceof Error && error.message === "database down",
      logger: testLogger("consumer"),
    });
    try {
      await waitFor(async () => (seen.length >= 450 ? true : undefined), 10_000, "450 facts");
      await waitFor(async () => {
        const info = await manager.consumers.info(subjects.factsStream, "batch-test-consumer");
        return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      }, 5_000, "every message acknowledged or terminated");
    } finally {
      await consumer.stop();
    }
    expect(seen.sort((left, right) => left - right)).toEqual(Array.from({ length: 450 }, (_value, index) => index));
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(200);
    expect(handledOneByOne).toBe(0);
  });
  it("stops promptly when asked in the middle of a full batch", async () => {
    const manager = await ensureFactsStream(connection, subjects);
    const subject = `${subjects.namespace}.facts.v1.stop-test`;
    const publisher = new FactPublisher(connection, { logger: testLogger("publisher") });
    for (let index = 0; index < 2; index++) void publisher.publish(subject, { index }, `stop-${index}`);
    await publisher.pending();
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let batchStarted = false;
    const consumer = await consumeFactBatches(connection, {
      manager,
      stream: subjects.factsStream,
      durableName: "stop-test",
      filterSubject: subject,
      schema: z.object({ index: z.number() }),
      maxBatchSize: 2,
      handleBatch: async () => {
        batchStarted = true;
        await gate;
      },
      handleOne: async () => undefined,
      isOutage: () => false,
      logger: testLogger("consumer"),
    });
    await waitFor(async () => (batchStarted ? true : undefined), 5_000, "a full batch in hand");
    // A full batch leaves no read waiting on the message iterator: the loop must not need one to end.
    const stopping = consumer.stop();
    openGate();
    const startedAt = performance.now();
    await stopping;
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });
});
