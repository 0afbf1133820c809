import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import type { GenerationCompleted } from "@switchboard/contracts";
import { ensureFactsStream } from "@switchboard/messaging";
import { sql, type KyselyPlugin, type RawNode } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { expirePendingReservations, reserve } from "../../../services/billing/src/repositories/reservations.js";
import { settleGenerations } from "../../../services/billing/src/repositories/settle-generations.js";
import { startBilling, type BillingService } from "../../../services/billing/src/start-billing.js";
import { testLogger, type LogCapture } from "../../support/silent-logger.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import {
  completedFact,
  findLedgerViolations,
  publishFact,
  startBillingUnderTest,
  waitFor,
  waitForConsumerIdle,
  type BillingUnderTest,
} from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// Issue 7, "Settlement and records in batches": one transaction per batch, one balance update per
// account per batch, idempotency by generation id, no deadlock between consumers.

const longAgo = () => new Date(Date.now() - 60_000);

/** The statements a kysely instance runs, as their SQL text. */
function recordStatements(statements: string[]): KyselyPlugin {
  return {
    transformQuery({ node }) {
      statements.push(node.kind === "RawNode" ? (node as RawNode).sqlFragments.join("$") : node.kind);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
}

describe("settling a batch of generations", () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  it("settles 200 facts of one account in one transaction with one balance update and the exact total", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 1_000_000);
    const facts = Array.from({ length: 200 }, (_value, index) =>
      completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId, usage: { promptTokens: index, completionTokens: 1_000 + index, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } }),
    );
    for (const fact of facts) await reserve(database, { generationId: fact.generationId, accountId, keyId, amountMicros: 2_000, ttlSeconds: 900 });
    expect(await getAccount(database, accountId)).toMatchObject({ reserved_micros: 400_000 });

    const statements: string[] = [];
    const results = await settleGenerations(database.withPlugin(recordStatements(statements)), facts);

    // Cost of fact i: ceil((0.15 i + 0.6 (1000 + i)) µ$) = ceil(600 + 0.75 i).
    const expectedTotal = facts.reduce((sum, _fact, index) => sum + Math.ceil(600 + 0.75 * index), 0);
    expect(results.reduce((sum, result) => sum + result.costMicros, 0)).toBe(expectedTotal);
    expect(results.every((result) => result.outcome === "settled" && result.charged)).toBe(true);
    expect(await getAccount(database, accountId)).toMatchObject({ balance_micros: 1_000_000 - expectedTotal, reserved_micros: 0 });

    // Three set-based statements, whatever the batch size, and exactly one of them updates accounts.
    expect(statements).toHaveLength(3);
    expect(statements.filter((statement) => /UPDATE accounts/i.test(statement))).toHaveLength(1);
    // Every row the batch wrote carries the same transaction id: one transaction.
    const generationIds = facts.map((fact) => fact.generationId);
    const { rows } = await sql<{ writers: number }>`
      SELECT count(DISTINCT writer)::int AS writers FROM (
        SELECT xmin::text AS writer FROM ledger_entries WHERE generation_id = ANY(${generationIds}::text[])
        UNION ALL SELECT xmin::text FROM reservations WHERE generation_id = ANY(${generationIds}::text[])
        UNION ALL SELECT xmin::text FROM accounts WHERE id = ${accountId}
      ) AS written
    `.execute(database);
    expect(rows).toEqual([{ writers: 1 }]);
    expect(await findLedgerViolations(database)).toEqual([]);
  });

  it("changes nothing when the same facts come again, in the same batch or a later one", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 100_000);
    const withReservation = completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId });
    const withoutReservation = completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId });
    await reserve(database, { generationId: withReservation.generationId, accountId, keyId, amountMicros: 5_000, ttlSeconds: 900 });

    const first = await settleGenerations(database, [withReservation, withoutReservation, withReservation, withoutReservation]);
    expect(first.map((result) => [result.outcome, result.anomaly?.recorded])).toEqual([
      ["settled", undefined],
      ["anomaly", true],
      ["settled", undefined],
      ["anomaly", true],
    ]);
    const again = await settleGenerations(database, [withoutReservation, withReservation]);
    expect(again.map((result) => [result.outcome, result.charged, result.anomaly?.recorded])).toEqual([
      ["anomaly", false, false],
      ["already-resolved", false, undefined],
    ]);
    // The fact without a reservation is never charged (issue 8), and its anomaly is recorded once.
    expect(await getAccount(database, accountId)).toMatchObject({ balance_micros: 100_000 - 750, reserved_micros: 0 });
    expect(await database.selectFrom("settlement_anomalies").selectAll().where("generation_id", "=", withoutReservation.generationId).execute()).toHaveLength(1);
    expect(await findLedgerViolations(database)).toEqual([]);
  });

  it("resolves each reservation once when batches race the expiry sweepers", async () => {
    const { database } = testDatabase;
    const accounts = await Promise.all(Array.from({ length: 3 }, () => createFundedKey(database, 1_000_000)));
    const facts: GenerationCompleted[] = [];
    for (let index = 0; index < 90; index++) {
      const { accountId, keyId } = accounts[index % accounts.length] ?? accounts[0]!;
      const fact = completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId });
      await reserve(database, { generationId: fact.generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 1, now: longAgo() });
      facts.push(fact);
    }
    await Promise.all([
      settleGenerations(database, facts.slice(0, 60)),
      settleGenerations(database, facts.slice(30, 90)),
      expirePendingReservations(database, new Date(), 7),
      expirePendingReservations(database, new Date(), 7),
    ]);
    const reservations = await database
      .selectFrom("reservations")
      .select(["status", "charged_micros"])
      .where("generation_id", "in", facts.map((fact) => fact.generationId))
      .execute();
    expect(reservations.every((reservation) => ["settled", "expired"].includes(reservation.status) && reservation.charged_micros === 750)).toBe(true);
    for (const { accountId } of accounts) expect(await getAccount(database, accountId)).toMatchObject({ balance_micros: 1_000_000 - 30 * 750, reserved_micros: 0 });
    expect(await findLedgerViolations(database)).toEqual([]);
  });
});

describe("the billing consumer settles facts in batches", () => {
  const capture: LogCapture = { lines: [] };
  let harness: BillingUnderTest;
  let second: BillingService | undefined;
  beforeAll(async () => {
    harness = await startBillingUnderTest({ logger: testLogger("billing", capture) });
  });
  afterAll(async () => {
    await second?.stop();
    await harness?.stop();
  });

  const failedBatches = () => capture.lines.filter((line) => line.includes("fact batch failed"));
  /** A second billing instance on the same database, subjects and durable consumer, logging into `capture`. */
  const startSecondBilling = () =>
    startBilling({
      connection: harness.connection,
      database: harness.database,
      subjects: harness.subjects,
      logger: testLogger("billing-2", capture),
      reservationTtlSeconds: 900,
      sweepIntervalSeconds: 30,
    });

  it("two instances on the same durable settle overlapping accounts without deadlock, exactly", async () => {
    second = await startSecondBilling();
    const accounts = await Promise.all(Array.from({ length: 5 }, () => createFundedKey(harness.database, 10_000_000)));
    const facts: GenerationCompleted[] = [];
    for (let index = 0; index < 600; index++) {
      const { accountId, keyId } = accounts[index % accounts.length] ?? accounts[0]!;
      const fact = completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId });
      // Two thirds hold a reservation; the rest are held by nothing, recorded as anomalies and not charged.
      if (index % 3 !== 0) await reserve(harness.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
      facts.push(fact);
    }
    // Every fact twice under distinct message ids, so both instances see copies of the same generations.
    for (let copy = 0; copy < 2; copy++) {
      await Promise.all(facts.map((fact) => publishFact(harness.connection, harness.subjects, fact, `${fact.generationId}#${copy}`)));
    }
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer, 30_000);

    const charges = await harness.database
      .selectFrom("ledger_entries")
      .select((expression) => [expression.fn.countAll<string>().as("count"), expression.fn.sum<string>("amount_micros").as("total")])
      .where("kind", "=", "charge")
      .where("account_id", "in", accounts.map((account) => account.accountId))
      .executeTakeFirstOrThrow();
    expect(Number(charges.count)).toBe(400);
    expect(Number(charges.total)).toBe(-400 * 750);
    for (const { accountId } of accounts) expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000_000 - 80 * 750, reserved_micros: 0 });
    const anomalies = await harness.database
      .selectFrom("settlement_anomalies")
      .select("generation_id")
      .where("generation_id", "in", facts.map((fact) => fact.generationId))
      .execute();
    expect(anomalies).toHaveLength(200);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
    // A deadlock would have failed a batch (and been retried fact by fact): none did.
    expect(failedBatches()).toEqual([]);
  });

  it("commits the valid facts of a batch and retries, as before, the one the database refuses", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const valid = Array.from({ length: 5 }, () => completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId }));
    // PostgreSQL text cannot hold NUL: every statement naming this generation id fails.
    const refused = completedFact({ generationId: `gen-${randomUUID()}\u0000`, accountId, keyId });
    for (const fact of valid) await reserve(harness.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
    await second?.stop();
    second = undefined;
    // Stopped consumer: the facts wait in the stream and arrive together, in one batch.
    await harness.billing.stop();
    await ensureFactsStream(harness.connection, harness.subjects);
    for (const fact of [valid[0]!, valid[1]!, refused, valid[2]!, valid[3]!, valid[4]!]) await publishFact(harness.connection, harness.subjects, fact, fact.generationId.replace("\u0000", "#nul"));
    capture.lines.length = 0;
    second = await startSecondBilling();

    await waitFor(async () => (await getAccount(harness.database, accountId))?.reserved_micros === 0);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - 5 * 750, reserved_micros: 0 });
    expect(failedBatches().length).toBeGreaterThanOrEqual(1);
    // The refused fact is nak'ed and delivered again, as a failing fact always was; the rest are acknowledged.
    const manager = await jetstreamManager(harness.connection);
    await waitFor(async () => (await manager.consumers.info(harness.subjects.factsStream, harness.subjects.billingConsumer)).num_redelivered >= 1, 5_000);
    const info = await manager.consumers.info(harness.subjects.factsStream, harness.subjects.billingConsumer);
    expect(info.num_pending + info.num_ack_pending).toBe(1);
    expect(capture.lines.filter((line) => line.includes("fact handling failed, will retry")).length).toBeGreaterThanOrEqual(1);
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });
});
