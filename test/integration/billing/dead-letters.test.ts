import { randomUUID } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { createSubjects, type GenerationCompleted } from "@switchboard/contracts";
import { busIdentities, deadLetterHeaders, ensureFactsStream, type DeadLetter } from "@switchboard/messaging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsDeadLetterLister } from "../../../services/billing/src/admin/nats-dead-letter-lister.js";
import { runAdminCommand } from "../../../services/billing/src/admin/run-admin-command.js";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { reserve } from "../../../services/billing/src/repositories/reservations.js";
import { startBilling, type BillingService } from "../../../services/billing/src/start-billing.js";
import { startMetadataLogging, type MetadataLoggingService } from "../../../services/metadata-logging/src/start-metadata-logging.js";
import { startSecuredBus, type SecuredBus } from "../../support/secured-bus.js";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { uniqueNamespace } from "../../support/test-nats.js";
import { waitFor } from "../../support/wait-for.js";
import { completedFact, findLedgerViolations } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// Issue 10: "A fact that fails validation lands in the dead-letter stream after at most 5 deliveries;
// valid facts around it are settled." Billing and metadata-logging run on a bus locked down with the
// generated permissions, so every publish and stream operation below is one their identity may make.
describe("facts no consumer can process go to the dead-letter stream, never dropped", () => {
  const subjects = createSubjects(uniqueNamespace("dl"));
  const capture: LogCapture = { lines: [] };
  let bus: SecuredBus;
  let testDatabase: TestDatabase;
  let ingress: NatsConnection;
  let billingConnection: NatsConnection;
  let loggingConnection: NatsConnection;
  let billing: BillingService | undefined;
  let logging: MetadataLoggingService | undefined;
  let lister: NatsDeadLetterLister;

  beforeAll(async () => {
    bus = await startSecuredBus(subjects);
    testDatabase = await createTestDatabase();
    ingress = await bus.connectAs(busIdentities.ingress);
    billingConnection = await bus.connectAs(busIdentities.billing);
    loggingConnection = await bus.connectAs(busIdentities.metadataLogging);
    lister = new NatsDeadLetterLister({ connect: () => bus.connectAs(busIdentities.admin), subjects });
    // Ingress creates the facts stream as it does when it starts; the facts wait there for the consumers.
    await ensureFactsStream(ingress, subjects);
  });
  afterAll(async () => {
    await billing?.stop();
    await logging?.stop();
    await lister?.close();
    for (const connection of [ingress, billingConnection, loggingConnection]) await connection?.close();
    await bus?.stop();
    await testDatabase?.drop();
  });

  const startConsumers = async () => {
    billing = await startBilling({ connection: billingConnection, database: testDatabase.database, subjects, logger: testLogger("billing", capture), reservationTtlSeconds: 900, sweepIntervalSeconds: 30 });
    logging = await startMetadataLogging({ connection: loggingConnection, database: testDatabase.database, subjects, logger: testLogger("metadata-logging", capture) });
  };
  const publish = async (fact: unknown, messageId: string) => (await jetstream(ingress).publish(subjects.generationCompleted, JSON.stringify(fact), { msgID: messageId })).seq;
  const recorded = (facts: GenerationCompleted[]) =>
    testDatabase.database.selectFrom("generations").select("id").where("id", "in", facts.map((fact) => fact.generationId)).execute();
  /** The dead letters of one original fact, as `npm run admin -- list-dead-letters` prints them. */
  const listedFor = async (originalSequence: number): Promise<DeadLetter[]> => {
    let stdout = "";
    let stderr = "";
    const exitCode = await runAdminCommand(["list-dead-letters", "--limit", "50"], {
      database: testDatabase.database,
      keyChangePublisher: { publish: async () => undefined },
      deadLetters: lister,
      output: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    });
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: "" });
    const { data } = JSON.parse(stdout) as { data: DeadLetter[] };
    return data.filter((deadLetter) => deadLetter.original_sequence === originalSequence);
  };

  it("settles and records the valid facts of a batch, and dead-letters, counts and lists the one that fails validation", async () => {
    const { accountId, keyId } = await createFundedKey(testDatabase.database, 100_000);
    const valid = Array.from({ length: 4 }, () => completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId }));
    for (const fact of valid) await reserve(testDatabase.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
    const secret = `customer-data-${randomUUID()}`;
    const invalid = { ...completedFact({ accountId, keyId, providerName: secret }), usage: { promptTokens: -5, completionTokens: "many", cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } };
    // Published before the consumers start, so the invalid fact arrives in one batch between valid ones.
    await publish(valid[0], valid[0]!.generationId);
    await publish(valid[1], valid[1]!.generationId);
    const invalidSequence = await publish(invalid, invalid.generationId);
    await publish(valid[2], valid[2]!.generationId);
    await publish(valid[3], valid[3]!.generationId);
    await startConsumers();

    await waitFor(async () => ((await getAccount(testDatabase.database, accountId))?.reserved_micros === 0 ? true : undefined), 10_000, "the valid facts settled");
    expect(await getAccount(testDatabase.database, accountId)).toMatchObject({ balance_micros: 100_000 - 4 * 750, reserved_micros: 0 });
    await waitFor(async () => ((await recorded(valid)).length === 4 ? true : undefined), 10_000, "the valid facts recorded");
    expect(await testDatabase.database.selectFrom("generations").select("id").where("id", "=", invalid.generationId).execute()).toEqual([]);

    const listed = await waitFor(async () => {
      const deadLetters = await listedFor(invalidSequence);
      return deadLetters.length === 2 ? deadLetters : undefined;
    }, 10_000, "the invalid fact dead-lettered by both consumers");
    expect(listed.map((deadLetter) => deadLetter.consumer).sort()).toEqual([subjects.billingConsumer, subjects.loggingConsumer].sort());
    for (const deadLetter of listed) {
      expect(deadLetter).toMatchObject({ reason: "invalid", original_subject: subjects.generationCompleted, original_stream: subjects.factsStream, original_sequence: invalidSequence });
      expect(deadLetter.deliveries).toBeLessThanOrEqual(5);
      expect(deadLetter.detail).toContain("usage.promptTokens: ");
      expect(deadLetter.detail).toContain("usage.completionTokens: ");
      expect(Date.now() - Date.parse(deadLetter.dead_lettered_at)).toBeLessThan(60_000);
    }
    const none = { "not-json": 0, invalid: 0, "failed-repeatedly": 0 };
    expect(billing?.deadLetters.snapshot()).toEqual({ [subjects.billingConsumer]: { "not-json": 0, invalid: 1, "failed-repeatedly": 0 }, [subjects.billingUsageReportConsumer]: none });
    expect(logging?.deadLetters.snapshot()).toEqual({ [subjects.loggingConsumer]: { "not-json": 0, invalid: 1, "failed-repeatedly": 0 }, [subjects.loggingUsageReportConsumer]: none });
    // Logged at warn with the reason, and neither the logs nor the listing carry the fact's data.
    expect(capture.lines.filter((line) => line.includes("fact moved to the dead-letter stream") && line.includes('"level":40'))).toHaveLength(2);
    expect(capture.lines.some((line) => line.includes(secret))).toBe(false);
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(await findLedgerViolations(testDatabase.database)).toEqual([]);
  });

  it("dead-letters a fact whose processing fails on every delivery after 5 deliveries, keeping its bytes, and settles the facts around it", { timeout: 60_000 }, async () => {
    const { accountId, keyId } = await createFundedKey(testDatabase.database, 100_000);
    const valid = Array.from({ length: 2 }, () => completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId }));
    for (const fact of valid) await reserve(testDatabase.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
    // Valid by its schema, but PostgreSQL text cannot hold NUL: every statement naming this generation fails.
    const failing = completedFact({ generationId: `gen-${randomUUID()}\u0000`, accountId, keyId });
    await publish(valid[0], valid[0]!.generationId);
    const failingSequence = await publish(failing, "failing-fact");
    await publish(valid[1], valid[1]!.generationId);

    await waitFor(async () => ((await getAccount(testDatabase.database, accountId))?.reserved_micros === 0 ? true : undefined), 10_000, "the valid facts settled");
    expect(await getAccount(testDatabase.database, accountId)).toMatchObject({ balance_micros: 100_000 - 2 * 750 });
    await waitFor(async () => ((await recorded(valid)).length === 2 ? true : undefined), 10_000, "the valid facts recorded");

    // Redelivered after 1, 2, 3 and 4 s: the fifth delivery is the last.
    const listed = await waitFor(async () => {
      const deadLetters = await listedFor(failingSequence);
      return deadLetters.length === 2 ? deadLetters : undefined;
    }, 40_000, "the failing fact dead-lettered by both consumers");
    for (const deadLetter of listed) {
      expect(deadLetter).toMatchObject({ reason: "failed-repeatedly", deliveries: 5, original_sequence: failingSequence });
      expect(deadLetter.detail).toMatch(/^processing still failed on delivery 5; last error /);
    }
    expect(billing?.deadLetters.total(subjects.billingConsumer)).toBe(2);
    expect(logging?.deadLetters.snapshot()[subjects.loggingConsumer]).toMatchObject({ invalid: 1, "failed-repeatedly": 1 });
    expect(capture.lines.filter((line) => line.includes("fact handling failed, will retry") && line.includes(`"seq":${failingSequence}`)).length).toBeGreaterThanOrEqual(8);

    // Not lost: the dead letter holds the fact's bytes, and nothing is left pending on either consumer.
    const adminConnection = await bus.connectAs(busIdentities.admin, "admin-reader");
    try {
      const stored = await (await jetstreamManager(adminConnection)).streams.getMessage(subjects.deadLetterStream, { seq: listed[0]!.sequence });
      expect(stored?.string()).toBe(JSON.stringify(failing));
      expect(stored?.header.get(deadLetterHeaders.deliveries)).toBe("5");
    } finally {
      await adminConnection.close();
    }
    // Each service may read only its own consumer's state.
    for (const [connection, consumer] of [[billingConnection, subjects.billingConsumer], [loggingConnection, subjects.loggingConsumer]] as const) {
      const info = await (await jetstreamManager(connection)).consumers.info(subjects.factsStream, consumer);
      expect(info.num_pending + info.num_ack_pending, consumer).toBe(0);
    }
    expect(await findLedgerViolations(testDatabase.database)).toEqual([]);
    // Every stream operation and publish above was one the identities may make.
    expect(await bus.permissionViolations()).toEqual([]);
  });

  it("list-dead-letters says what to check when NATS cannot be read, and checks --limit", async () => {
    const run = async (argv: string[], deadLetters?: NatsDeadLetterLister) => {
      let stderr = "";
      const exitCode = await runAdminCommand(argv, {
        database: testDatabase.database,
        keyChangePublisher: { publish: async () => undefined },
        ...(deadLetters ? { deadLetters } : {}),
        output: { stdout: () => undefined, stderr: (text) => (stderr += text) },
      });
      return { exitCode, stderr };
    };
    const unreachable = new NatsDeadLetterLister({ connect: () => Promise.reject(new Error("connection refused")), subjects });
    expect(await run(["list-dead-letters"], unreachable)).toEqual({
      exitCode: 1,
      stderr: expect.stringMatching(/^Could not read the dead-letter stream on NATS \(connection refused\)\. Check that NATS is running and that NATS_URL/),
    });
    expect(await run(["list-dead-letters"])).toEqual({ exitCode: 1, stderr: expect.stringContaining("list-dead-letters needs NATS") });
    expect(await run(["list-dead-letters", "--limit", "0"], lister)).toEqual({ exitCode: 1, stderr: expect.stringContaining("--limit must be a whole number from 1 to 500") });
  });
});
