import { randomUUID } from "node:crypto";
import { computeCostMicros, type GenerationCompleted } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { reserve } from "../../../services/billing/src/repositories/reservations.js";
import { startMetadataLogging, type MetadataLoggingService } from "../../../services/metadata-logging/src/start-metadata-logging.js";
import { testLogger } from "../../support/silent-logger.js";
import { completedFact, findLedgerViolations, publishFact, startBillingUnderTest, waitForConsumerIdle, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// Issue 7 (and L3 of the reliability plan): every fact delivered three times, under distinct message ids
// so the stream cannot de-duplicate them, with copies inside one batch and across batches. Only the
// database's constraints stand between a redelivery and a second charge or a second row.
describe("1,000 facts delivered 3 times each to batched billing and metadata-logging", () => {
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

  it("settles exactly the 900 held, records the 100 unheld as anomalies, writes exactly 1,000 rows, and leaves 0 µ$ of drift", async () => {
    const grantMicros = 50_000_000;
    const accounts = await Promise.all(Array.from({ length: 10 }, () => createFundedKey(harness.database, grantMicros)));
    const facts: GenerationCompleted[] = [];
    for (let index = 0; index < 1_000; index++) {
      const { accountId, keyId } = accounts[index % accounts.length] ?? accounts[0]!;
      const usage = { promptTokens: 10 * index, completionTokens: 500 + index, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
      const fact = completedFact({ generationId: `gen-${randomUUID()}`, accountId, keyId, usage });
      // One in ten has no reservation: billing holds nothing for it, so it is recorded as an anomaly (once)
      // and never charged (issue 8); metadata-logging records it like any other.
      if (index % 10 !== 0) await reserve(harness.database, { generationId: fact.generationId, accountId, keyId, amountMicros: 10_000, ttlSeconds: 900 });
      facts.push(fact);
    }

    // Copies 0 and 1 back to back (the same batch, mostly), copy 2 after all of them (a later batch).
    const publishCopies = async (copies: number[]) => {
      for (let start = 0; start < facts.length; start += 100) {
        await Promise.all(
          facts.slice(start, start + 100).flatMap((fact) => copies.map((copy) => publishFact(harness.connection, harness.subjects, fact, `${fact.generationId}#${copy}`))),
        );
      }
    };
    await publishCopies([0, 1]);
    await publishCopies([2]);
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer, 60_000);
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.loggingConsumer, 60_000);

    const ids = facts.map((fact) => fact.generationId);
    const settled = await harness.database.selectFrom("reservations").select(["status", "charged_micros", "generation_id"]).where("generation_id", "in", ids).execute();
    expect(settled).toHaveLength(900);
    expect(settled.every((reservation) => reservation.status === "settled")).toBe(true);
    const charges = await harness.database.selectFrom("ledger_entries").select(["generation_id", "amount_micros"]).where("kind", "=", "charge").where("generation_id", "in", ids).execute();
    expect(charges).toHaveLength(900);
    const anomalies = await harness.database.selectFrom("settlement_anomalies").select(["generation_id", "reason"]).where("generation_id", "in", ids).execute();
    const unheld = facts.filter((_fact, index) => index % 10 === 0).map((fact) => fact.generationId);
    expect(anomalies.map((anomaly) => anomaly.generation_id).sort()).toEqual(unheld.sort());
    expect(anomalies.every((anomaly) => anomaly.reason === "no-hold")).toBe(true);
    const rows = await harness.database.selectFrom("generations").select(["id", "cost_micros"]).where("id", "in", ids).execute();
    expect(rows).toHaveLength(1_000);

    const costOf = new Map(facts.map((fact) => [fact.generationId, computeCostMicros(fact.usage, fact.price)]));
    expect(charges.every((charge) => charge.amount_micros === -(costOf.get(charge.generation_id ?? "") ?? NaN))).toBe(true);
    expect(rows.every((row) => row.cost_micros === costOf.get(row.id))).toBe(true);
    for (const { accountId } of accounts) {
      const charged = facts.filter((fact, index) => fact.accountId === accountId && index % 10 !== 0).reduce((sum, fact) => sum + (costOf.get(fact.generationId) ?? 0), 0);
      expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: grantMicros - charged, reserved_micros: 0 });
    }
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });
});
