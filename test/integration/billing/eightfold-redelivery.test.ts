import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { computeCostMicros, generationCompletedSchema, type GenerationCompleted } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { reserve } from "../../../services/billing/src/repositories/reservations.js";
import { startMetadataLogging, type MetadataLoggingService } from "../../../services/metadata-logging/src/start-metadata-logging.js";
import { testLogger } from "../../support/silent-logger.js";
import { completedFact, findLedgerViolations, startBillingUnderTest, waitForConsumerIdle, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// Issue 10 acceptance: "1,000 completion facts each delivered 8 times (some after the JetStream duplicate
// window) → exactly 1,000 settlements, zero drift between balances and ledger", and "the same generation id
// with different usage → no ledger change, the conflict recorded".
//
// Each fact is published 8 times. Three of them reuse a message id already published (Nats-Msg-Id within
// the stream's 2-minute duplicate window): the stream acknowledges them as duplicates and never delivers
// them. The other five carry distinct message ids: to the stream that is exactly what a publish after the
// duplicate window looks like (the window only remembers ids for 2 minutes, and waiting that long in a test
// would prove nothing more), so they all reach both consumers. Copies land in the same batch as the first
// and in later batches, and a competing pull on billing's durable consumer NAKs some messages mid-stream,
// so those are redelivered on top. One fact in twenty also has a copy with other usage (one in forty a
// second, different one, in the first copy's batch): those must record conflicts and change no money.
describe("1,000 facts delivered 8 times each, some with other usage", () => {
  let harness: BillingUnderTest;
  let logging: MetadataLoggingService;
  beforeAll(async () => {
    harness = await startBillingUnderTest();
    logging = await startMetadataLogging({ connection: harness.connection, database: harness.database, subjects: harness.subjects, logger: testLogger("metadata-logging") });
  });
  afterAll(async () => {
    await logging?.stop();
    await harness?.stop();
  });

  it("settles exactly 1,000, writes exactly 1,000 rows, records each conflict once and leaves 0 µ$ of drift", async () => {
    const grantMicros = 50_000_000;
    const accounts = await Promise.all(Array.from({ length: 10 }, () => createFundedKey(harness.database, grantMicros)));
    const facts: GenerationCompleted[] = [];
    for (let index = 0; index < 1_000; index++) {
      const { accountId, keyId } = accounts[index % accounts.length] ?? accounts[0]!;
      const usage = { promptTokens: 10 * index, completionTokens: 500 + index, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
      const fact = completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId, usage });
      await reserve(harness.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 10_000, ttlSeconds: 900 });
      facts.push(fact);
    }
    const withExtraTokens = (fact: GenerationCompleted, extra: number): GenerationCompleted => ({ ...fact, usage: { ...fact.usage, completionTokens: fact.usage.completionTokens + extra } });
    const laterConflict = (index: number) => index % 20 === 5;
    const sameBatchConflict = (index: number) => index % 40 === 5;

    const stream = jetstream(harness.connection);
    let duplicates = 0;
    const publish = async (fact: GenerationCompleted, messageId: string) => {
      const acknowledgement = await stream.publish(harness.subjects.generationCompleted, JSON.stringify(generationCompletedSchema.parse(fact)), { msgID: messageId });
      if (acknowledgement.duplicate) duplicates++;
    };
    // Per chunk of 100 facts: `first` copies are acknowledged before the `rest` go out, so each fact's first
    // copy comes first in the stream (and settles), and the rest follow close behind, mostly in its batch.
    const publishRound = async (copies: (fact: GenerationCompleted, index: number) => { first: [GenerationCompleted, string][]; rest: [GenerationCompleted, string][] }) => {
      for (let start = 0; start < facts.length; start += 100) {
        const chunk = facts.slice(start, start + 100).map((fact, offset) => copies(fact, start + offset));
        await Promise.all(chunk.flatMap((planned) => planned.first.map(([fact, messageId]) => publish(fact, messageId))));
        await Promise.all(chunk.flatMap((planned) => planned.rest.map(([fact, messageId]) => publish(fact, messageId))));
      }
    };

    // Round 1: the original (1), its publish retried under the same id (2, a duplicate), and a copy under a
    // new id (3), with other usage for one fact in forty.
    await publishRound((fact, index) => ({
      first: [[fact, fact.generationId]],
      rest: [
        [fact, fact.generationId],
        [sameBatchConflict(index) ? withExtraTokens(fact, 2_000) : fact, `${fact.generationId}#3`],
      ],
    }));
    // Round 2, later batches: copy 3's id again (4, a duplicate) and a new id (5).
    await publishRound((fact) => ({ first: [], rest: [[fact, `${fact.generationId}#3`], [fact, `${fact.generationId}#5`]] }));

    // Billing catches up first: were an original still unprocessed when the competing pull below NAKs it,
    // its redelivery would come after its conflicting copy 3, and that copy would rightly be the one settled.
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer, 120_000);

    // Round 3 runs while a competing pull on billing's durable consumer NAKs what it gets: those messages
    // are redelivered to billing, on top of the 8 publishes.
    const consumer = await stream.consumers.get(harness.subjects.factsStream, harness.subjects.billingConsumer);
    let nacked = 0;
    const nacking = (async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const messages = await consumer.fetch({ max_messages: 50, expires: 1_000 });
        for await (const message of messages) {
          message.nak();
          nacked++;
        }
      }
    })();
    // Copies 6 and 7 under new ids (one fact in twenty reports other usage in both: one conflict, recorded
    // once), and the original id again (8, a duplicate).
    await publishRound((fact, index) => {
      const copy = laterConflict(index) ? withExtraTokens(fact, 1_000) : fact;
      return { first: [], rest: [[copy, `${fact.generationId}#6`], [copy, `${fact.generationId}#7`], [fact, fact.generationId]] };
    });
    await nacking;
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer, 120_000);
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.loggingConsumer, 120_000);

    expect(duplicates).toBe(3 * facts.length);
    // The NAKed messages went back to billing's consumer, which has since acknowledged everything.
    expect(nacked).toBeGreaterThan(0);

    const ids = facts.map((fact) => fact.generationId);
    const costOf = new Map(facts.map((fact) => [fact.generationId, computeCostMicros(fact.usage, fact.price)]));
    const settled = await harness.database.selectFrom("reservations").select(["status", "charged_micros", "generation_id"]).where("generation_id", "in", ids).execute();
    expect(settled).toHaveLength(1_000);
    expect(settled.every((reservation) => reservation.status === "settled" && reservation.charged_micros === costOf.get(reservation.generation_id))).toBe(true);
    const charges = await harness.database.selectFrom("ledger_entries").select(["generation_id", "amount_micros"]).where("kind", "=", "charge").where("generation_id", "in", ids).execute();
    expect(charges).toHaveLength(1_000);
    expect(charges.every((charge) => charge.amount_micros === -(costOf.get(charge.generation_id ?? "") ?? NaN))).toBe(true);
    const rows = await harness.database.selectFrom("generations").select(["id", "cost_micros"]).where("id", "in", ids).execute();
    expect(rows).toHaveLength(1_000);
    expect(rows.every((row) => row.cost_micros === costOf.get(row.id))).toBe(true);

    const expectedConflicts = facts.flatMap((fact, index) => [
      ...(laterConflict(index) ? [[fact.generationId, computeCostMicros(withExtraTokens(fact, 1_000).usage, fact.price)]] : []),
      ...(sameBatchConflict(index) ? [[fact.generationId, computeCostMicros(withExtraTokens(fact, 2_000).usage, fact.price)]] : []),
    ]);
    expect(expectedConflicts).toHaveLength(75);
    const anomalies = await harness.database.selectFrom("settlement_anomalies").select(["generation_id", "reason", "claimed_micros"]).where("generation_id", "in", ids).execute();
    expect(anomalies.every((anomaly) => anomaly.reason === "conflicting-usage")).toBe(true);
    expect(anomalies.map((anomaly) => [anomaly.generation_id, anomaly.claimed_micros]).sort()).toEqual(expectedConflicts.sort());
    expect(harness.billing.settlementAnomalies.snapshot()["conflicting-usage"]).toBe(75);

    for (const { accountId } of accounts) {
      const charged = facts.filter((fact) => fact.accountId === accountId).reduce((sum, fact) => sum + (costOf.get(fact.generationId) ?? 0), 0);
      expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: grantMicros - charged, reserved_micros: 0 });
    }
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });
});
