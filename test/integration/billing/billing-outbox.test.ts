import { randomUUID } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { billingSettledSchema, createKeyReplySchema, createSubjects, keyChangedSchema, type KeyChanged, type Subjects } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBillingFactsStream } from "../../../services/billing/src/outbox/ensure-billing-facts-stream.js";
import { createKeyReply } from "../../../services/billing/src/handlers/create-key.js";
import { setKeyDisabledReply } from "../../../services/billing/src/handlers/set-key-disabled.js";
import type { KeyChangePublisher } from "../../../services/billing/src/key-changes/key-change-publisher.js";
import { keyChangeGraceSeconds, outboxMessageId, pruneOutbox, relayOutbox, type OutboxPublish } from "../../../services/billing/src/outbox/relay-outbox.js";
import { reserve } from "../../../services/billing/src/repositories/reservations.js";
import { settleGenerations } from "../../../services/billing/src/repositories/settle-generations.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { testAdminCaller } from "../../support/test-admin-caller.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { completedFact, publishFact, startBillingUnderTest, waitFor } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";
import { runAdminForTest } from "./run-admin-for-test.js";

/** Every message the billing facts stream holds: its message id and parsed fact. */
async function storedFacts(connection: NatsConnection, subjects: Subjects): Promise<Array<{ messageId: string | undefined; generationId: string }>> {
  const manager = await jetstreamManager(connection);
  const info = await manager.streams.info(subjects.billingFactsStream);
  const facts = [];
  // Key changes share the stream; only billing-settled facts are listed here.
  for (let sequence = info.state.first_seq; sequence <= info.state.last_seq && info.state.messages > 0; sequence++) {
    const message = await manager.streams.getMessage(subjects.billingFactsStream, { seq: sequence });
    if (!message || message.subject !== subjects.billingSettled) continue;
    facts.push({ messageId: message.header?.get("Nats-Msg-Id"), generationId: billingSettledSchema.parse(message.json()).generationId });
  }
  return facts;
}

describe("billing outbox", () => {
  let testDatabase: TestDatabase;
  let connection: NatsConnection;
  let subjects: Subjects;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    connection = await connectTestNats("billing-outbox-test");
    subjects = createSubjects(uniqueNamespace("obx"));
  });
  afterAll(async () => {
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(subjects.billingFactsStream).catch(() => undefined);
    await connection?.drain();
    await testDatabase?.drop();
  });

  const publishToJetStream: OutboxPublish = async (subject, payload, messageId) => {
    await jetstream(connection).publish(subject, payload, { msgID: messageId, timeout: 2_000 });
  };
  const unpublished = () => testDatabase.database.selectFrom("billing_outbox").selectAll().where("published_at", "is", null).orderBy("id").execute();

  it("settlement writes one billing-settled fact per generation it resolves, in its transaction; a redelivery writes none", async () => {
    const { database } = testDatabase;
    const { accountId, keyId } = await createFundedKey(database, 100_000);
    const [charged, voided] = [`gen-${randomUUID()}`, `gen-${randomUUID()}`].sort() as [string, string];
    for (const generationId of [charged, voided]) await reserve(database, { generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
    const facts = [
      completedFact({ generationId: charged, accountId, keyId }),
      completedFact({ generationId: voided, accountId, keyId, status: "error", usage: { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } }),
    ];
    await settleGenerations(database, facts);
    await settleGenerations(database, facts);
    const rows = await database.selectFrom("billing_outbox").selectAll().orderBy("id").execute();
    const chargeTransaction = await database.selectFrom("ledger_transactions").select("id").where("generation_id", "=", charged).executeTakeFirstOrThrow();
    expect(rows.map((row) => [row.topic, row.published_at, billingSettledSchema.parse(row.payload)])).toEqual([
      ["billing-settled", null, { generationId: charged, accountId, costMicros: 750, chargedMicros: 750, ledgerTransactionId: chargeTransaction.id, settledAt: expect.any(String) }],
      ["billing-settled", null, { generationId: voided, accountId, costMicros: 0, chargedMicros: 0, ledgerTransactionId: null, settledAt: expect.any(String) }],
    ]);
  });

  it("a fact committed while publishing fails is published after recovery, once, even when a crash repeats its publish", async () => {
    const waiting = await unpublished();
    expect(waiting.length).toBeGreaterThan(0);
    // The stream does not exist yet: JetStream refuses every publish, as when NATS is down.
    const failed = await relayOutbox(testDatabase.database, { subjects, publish: publishToJetStream });
    expect(failed).toMatchObject({ published: 0, failed: waiting.length });
    expect(await unpublished()).toEqual(waiting);

    await ensureBillingFactsStream(connection, subjects);
    // Recovery, then a crash between the publish and the mark: the rows stay unpublished.
    const crashing: OutboxPublish = async (subject, payload, messageId) => {
      await publishToJetStream(subject, payload, messageId);
      throw new Error("billing died before marking the row published");
    };
    expect(await relayOutbox(testDatabase.database, { subjects, publish: crashing })).toMatchObject({ published: 0, failed: waiting.length });
    expect(await unpublished()).toHaveLength(waiting.length);

    expect(await relayOutbox(testDatabase.database, { subjects, publish: publishToJetStream })).toMatchObject({ published: waiting.length, failed: 0 });
    expect(await unpublished()).toEqual([]);
    expect(await relayOutbox(testDatabase.database, { subjects, publish: publishToJetStream })).toEqual({ published: 0, failed: 0 });

    // Two publishes of each row, one copy in the stream: the message id is the outbox row's.
    expect(await storedFacts(connection, subjects)).toEqual(
      waiting.map((row) => ({ messageId: outboxMessageId(row.id), generationId: billingSettledSchema.parse(row.payload).generationId })),
    );

    // Published rows are pruned once old enough; unpublished ones never.
    const { accountId, keyId } = await createFundedKey(testDatabase.database, 10_000);
    const later = `gen-${randomUUID()}`;
    await reserve(testDatabase.database, { generationId: later, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
    await settleGenerations(testDatabase.database, [completedFact({ generationId: later, accountId, keyId })]);
    expect(await pruneOutbox(testDatabase.database, { keepMs: 60_000 })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await pruneOutbox(testDatabase.database, { keepMs: 10 })).toBe(waiting.length);
    expect((await testDatabase.database.selectFrom("billing_outbox").select("id").execute())).toHaveLength(1);
  });

  it("a key change whose announcement was lost (billing or the CLI died after its commit) is announced by billing's relay, once", async () => {
    const harness = await startBillingUnderTest();
    const listener = await connectTestNats("outbox-key-changes-listener");
    const heard: KeyChanged[] = [];
    try {
      listener.subscribe(harness.subjects.keyChanged, { callback: (_error, message) => void heard.push(keyChangedSchema.parse(message.json())) });
      await listener.flush();
      const { accountId } = await createFundedKey(harness.database, 0);
      // Dies where it would announce: after the commit, before the announcement and the outbox mark.
      const dying: KeyChangePublisher = { publish: () => Promise.reject(new Error("killed before announcing")) };
      await expect(createKeyReply(harness.database, { accountId, name: "outboxed", caller: testAdminCaller }, dying)).rejects.toThrow(/killed/);
      const key = await harness.database.selectFrom("api_keys").select("key_hash").where("account_id", "=", accountId).where("name", "=", "outboxed").executeTakeFirstOrThrow();
      await expect(setKeyDisabledReply({ database: harness.database, keyChangePublisher: dying }, { keyHash: key.key_hash, disabled: true, caller: testAdminCaller })).rejects.toThrow(/killed/);
      const waiting = await harness.database.selectFrom("billing_outbox").select(["payload", "published_at"]).where("topic", "=", "key-changed").orderBy("id").execute();
      expect(waiting.map((row) => [keyChangedSchema.parse(row.payload), row.published_at])).toEqual([
        [{ keyHash: key.key_hash, change: "created" }, null],
        [{ keyHash: key.key_hash, change: "disabled" }, null],
      ]);

      // A change whose handler announced it is marked at once and never announced again by the relay.
      const announced = await runAdminForTest(harness.database, ["create-key", "--account", accountId, "--name", "announced"]);
      const announcedHash = createKeyReplySchema.parse(JSON.parse(announced.stdout)).data.hash;

      await waitFor(async () => heard.filter((change) => change.keyHash === key.key_hash).length >= 2, 10_000);
      await waitFor(async () => (await harness.database.selectFrom("billing_outbox").select("id").where("published_at", "is", null).execute()).length === 0, 10_000);
      await new Promise((resolve) => setTimeout(resolve, (keyChangeGraceSeconds + 1) * 1_000));
      await listener.flush();
      expect(heard.filter((change) => change.keyHash === key.key_hash)).toEqual([
        { keyHash: key.key_hash, change: "created" },
        { keyHash: key.key_hash, change: "disabled" },
      ]);
      // runAdminForTest's publisher sends nothing, and the relay left the marked row alone: never heard.
      expect(heard.filter((change) => change.keyHash === announcedHash)).toEqual([]);
    } finally {
      await listener.close();
      await harness.stop();
    }
  });

  it("running billing relays the billing-settled fact of a settled generation to the stream", async () => {
    const harness = await startBillingUnderTest();
    try {
      const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
      const generationId = `gen-${randomUUID()}`;
      await reserve(harness.database, { generationId, accountId, keyId, amountMicros: 1_000, ttlSeconds: 900 });
      await publishFact(harness.connection, harness.subjects, completedFact({ generationId, accountId, keyId }));
      await waitFor(async () => (await storedFacts(harness.connection, harness.subjects)).some((fact) => fact.generationId === generationId));
      await waitFor(async () => (await harness.database.selectFrom("billing_outbox").select("id").where("published_at", "is", null).execute()).length === 0);
    } finally {
      await harness.stop();
    }
  });
});
