import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { createSubjects } from "@switchboard/contracts";
import { consumeFactBatches, DeadLetterCounter, deadLetterHeaders, ensureDeadLetterStream, ensureFactsStream, FactPublisher, readDeadLetters } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { waitFor } from "../../support/wait-for.js";

describe("facts on JetStream", () => {
  let connection: NatsConnection;
  const subjects = createSubjects(uniqueNamespace("msg"));

  beforeAll(async () => {
    connection = await connectTestNats();
    await ensureDeadLetterStream(connection, subjects);
  });
  /** Where a test consumer copies what it cannot process, with a counter of its own. */
  const deadLettersOf = (consumer: string) => ({ subject: subjects.deadLetters(consumer), counter: new DeadLetterCounter() });

  afterAll(async () => {
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(subjects.factsStream).catch(() => undefined);
    await manager.streams.delete(subjects.deadLetterStream).catch(() => undefined);
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
      deadLetters: deadLettersOf("test-consumer"),
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

  it("hands facts over in batches, dead-letters what is not a fact, and retries a batch that met an outage whole", async () => {
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
    const deadLetters = deadLettersOf("batch-test-consumer");
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
      deadLetters,
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
    // Neither the invalid fact nor the message that is not JSON was dropped: both are dead letters.
    expect(deadLetters.counter.snapshot()).toEqual({ "batch-test-consumer": { "not-json": 1, invalid: 1, "failed-repeatedly": 0 } });
    const kept = (await readDeadLetters(manager, subjects, 50)).filter((deadLetter) => deadLetter.consumer === "batch-test-consumer");
    expect(kept.map((deadLetter) => [deadLetter.reason, deadLetter.original_subject, deadLetter.deliveries])).toEqual([
      ["not-json", subject, 1],
      ["invalid", subject, 1],
    ]);
    expect(kept[1]?.detail).toMatch(/^index: /);
    expect(kept[1]?.detail).not.toContain("not a number");
  });

  it("keeps a fact whose dead-letter copy fails, and copies it when it comes back", async () => {
    const manager = await ensureFactsStream(connection, subjects);
    const subject = `${subjects.namespace}.facts.v1.copy-fails-test`;
    const sequence = (await jetstream(connection).publish(subject, JSON.stringify({ index: "never valid" }), { msgID: "copy-fails" })).seq;
    const capture: LogCapture = { lines: [] };
    const options = {
      manager,
      stream: subjects.factsStream,
      durableName: "copy-fails-test",
      filterSubject: subject,
      schema: z.object({ index: z.number() }),
      handleBatch: async () => undefined,
      handleOne: async () => undefined,
      isOutage: () => false,
      logger: testLogger("consumer", capture),
    };
    // No stream stores this subject: the copy is refused, so the fact must be nak'ed, not terminated.
    const nowhere = { subject: `${subjects.namespace}.nowhere.v1.copy-fails-test`, counter: new DeadLetterCounter() };
    const failing = await consumeFactBatches(connection, { ...options, deadLetters: nowhere });
    try {
      await waitFor(async () => ((await manager.consumers.info(subjects.factsStream, "copy-fails-test")).num_redelivered >= 1 ? true : undefined), 10_000, "a redelivery");
    } finally {
      await failing.stop();
    }
    expect(nowhere.counter.total("copy-fails-test")).toBe(0);
    expect(capture.lines.some((line) => line.includes("could not copy the fact to the dead-letter stream"))).toBe(true);

    const deadLetters = deadLettersOf("copy-fails-test");
    const working = await consumeFactBatches(connection, { ...options, deadLetters });
    try {
      await waitFor(async () => (deadLetters.counter.total("copy-fails-test") === 1 ? true : undefined), 10_000, "the fact dead-lettered");
    } finally {
      await working.stop();
    }
    const [kept] = (await readDeadLetters(manager, subjects, 50)).filter((deadLetter) => deadLetter.consumer === "copy-fails-test");
    expect(kept).toMatchObject({ reason: "invalid", original_sequence: sequence });
    expect(kept?.deliveries).toBeGreaterThanOrEqual(2);
    // The copy holds the fact's bytes unchanged.
    const stored = await manager.streams.getMessage(subjects.deadLetterStream, { seq: kept?.sequence ?? 0 });
    expect(stored?.string()).toBe(JSON.stringify({ index: "never valid" }));
    expect(stored?.header.get(deadLetterHeaders.originalStream)).toBe(subjects.factsStream);
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
      deadLetters: deadLettersOf("stop-test"),
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
