import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  createSubjects,
  getGenerationReplySchema,
  type GenerationCompleted,
  type Subjects,
} from "@switchboard/contracts";
import { FactPublisher, requestReply } from "@switchboard/messaging";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMetadataLogging, type MetadataLoggingService } from "../../../services/metadata-logging/src/start-metadata-logging.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { completedFact as sharedCompletedFact } from "../../support/completed-fact.js";
import { testLogger } from "../../support/silent-logger.js";

/**
 * A fact with what this file's assertions look at: a fallback before the serving attempt, cached-read,
 * cache-write and reasoning tokens, a stream with its timings. The rest comes from the shared builder.
 */
function completedFact(overrides: Partial<GenerationCompleted> = {}): GenerationCompleted {
  return sharedCompletedFact({
    usage: { promptTokens: 1000, completionTokens: 1000, cachedPromptTokens: 200, cacheWriteTokens: 100, reasoningTokens: 50 },
    nativeFinishReason: "end_turn",
    streamed: true,
    upstreamId: "chatcmpl-abc",
    latencyMs: 1250,
    timeToFirstTokenMs: 310,
    attempts: [
      { endpointId: "openai/gpt-4o-mini@azure", providerId: "azure", status: 503, errorCode: "upstream_error" },
      { endpointId: "openai/gpt-4o-mini@openai", providerId: "openai", status: 200, errorCode: null },
    ],
    createdAt: "2026-11-25T14:00:00.123Z",
    ...overrides,
  });
}

describe("metadata-logging", () => {
  let testDatabase: TestDatabase;
  let connection: NatsConnection;
  let subjects: Subjects;
  let service: MetadataLoggingService;
  let publisher: FactPublisher;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    connection = await connectTestNats("metadata-logging-test");
    subjects = createSubjects(uniqueNamespace("log"));
    service = await startMetadataLogging({ connection, database: testDatabase.database, subjects, logger: testLogger("metadata-logging") });
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

  async function waitForConsumerIdle(): Promise<void> {
    await publisher.pending();
    const manager = await jetstreamManager(connection);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const info = await manager.consumers.info(subjects.factsStream, subjects.loggingConsumer);
      if (info.num_pending === 0 && info.num_ack_pending === 0) return;
      if (Date.now() > deadline) throw new Error("metadata-logging did not consume the facts in time");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const getGeneration = (id: string, accountId: string) =>
    requestReply(connection, subjects.loggingGetGeneration, { id, accountId }, getGenerationReplySchema, { timeoutMs: 5_000 });

  it("records one metadata row per generation, with the cost billing charges", async () => {
    const fact = completedFact();
    await publisher.publish(subjects.generationCompleted, fact, fact.generationId);
    await waitForConsumerIdle();

    const row = await testDatabase.database.selectFrom("generations").selectAll().where("id", "=", fact.generationId).executeTakeFirstOrThrow();
    expect(row).toEqual({
      id: fact.generationId,
      account_id: fact.accountId,
      key_id: fact.keyId,
      model: "openai/gpt-4o-mini",
      provider_id: "openai",
      provider_name: "OpenAI",
      endpoint_id: "openai/gpt-4o-mini@openai",
      tokens_prompt: 1000,
      tokens_completion: 1000,
      tokens_cached: 200,
      tokens_cache_write: 100,
      tokens_reasoning: 50,
      usage_estimated: false,
      cost_micros: 750,
      latency_ms: 1250,
      time_to_first_token_ms: 310,
      finish_reason: "stop",
      native_finish_reason: "end_turn",
      streamed: true,
      cancelled: false,
      status: "success",
      error_code: null,
      upstream_id: "chatcmpl-abc",
      attempts: fact.attempts,
      created_at: new Date("2026-11-25T14:00:00.123Z"),
      api_type: "completions",
    });
  });

  it("records a cancelled generation as cancelled", async () => {
    const fact = completedFact({ status: "cancelled", usageEstimated: true, finishReason: null, nativeFinishReason: null });
    await publisher.publish(subjects.generationCompleted, fact, fact.generationId);
    await waitForConsumerIdle();
    const row = await testDatabase.database.selectFrom("generations").select(["cancelled", "status", "usage_estimated"]).where("id", "=", fact.generationId).executeTakeFirstOrThrow();
    expect(row).toEqual({ cancelled: true, status: "cancelled", usage_estimated: true });
  });

  it("keeps one row when the same fact arrives several times", async () => {
    const fact = completedFact();
    for (let copy = 0; copy < 4; copy++) {
      // Distinct message ids defeat the stream's duplicate window, as a redelivery would.
      await publisher.publish(subjects.generationCompleted, copy === 3 ? { ...fact, latencyMs: 9 } : fact, `${fact.generationId}#${copy}`);
    }
    await waitForConsumerIdle();
    const rows = await testDatabase.database.selectFrom("generations").select(["id", "latency_ms"]).where("id", "=", fact.generationId).execute();
    expect(rows).toEqual([{ id: fact.generationId, latency_ms: 1250 }]);
  });

  it("drops a fact its columns cannot hold instead of retrying it forever", async () => {
    const bad = completedFact({ accountId: "not-a-uuid" });
    const good = completedFact();
    await publisher.publish(subjects.generationCompleted, bad, bad.generationId);
    await publisher.publish(subjects.generationCompleted, good, good.generationId);
    await waitForConsumerIdle();
    const ids = await testDatabase.database.selectFrom("generations").select("id").where("id", "in", [bad.generationId, good.generationId]).execute();
    expect(ids).toEqual([{ id: good.generationId }]);
  });

  it("answers get-generation in OpenRouter's shape for the owning account only", async () => {
    const fact = completedFact();
    await publisher.publish(subjects.generationCompleted, fact, fact.generationId);
    await waitForConsumerIdle();

    const reply = await getGeneration(fact.generationId, fact.accountId);
    expect(reply.data).toEqual({
      id: fact.generationId,
      total_cost: 0.00075,
      created_at: "2026-11-25T14:00:00.123Z",
      model: "openai/gpt-4o-mini",
      streamed: true,
      cancelled: false,
      provider_name: "OpenAI",
      latency: 1250,
      generation_time: 1250,
      finish_reason: "stop",
      native_finish_reason: "end_turn",
      tokens_prompt: 1000,
      tokens_completion: 1000,
      native_tokens_prompt: 1000,
      native_tokens_completion: 1000,
      native_tokens_reasoning: 50,
      native_tokens_cached: 200,
      usage: 0.00075,
      is_byok: false,
      upstream_id: "chatcmpl-abc",
      api_type: "completions",
      provider_responses: [
        { endpoint_id: "openai/gpt-4o-mini@azure", model_permaslug: null, provider_name: null, status: 503, latency: null, is_byok: false },
        { endpoint_id: "openai/gpt-4o-mini@openai", model_permaslug: null, provider_name: null, status: 200, latency: null, is_byok: false },
      ],
    });

    for (const [id, accountId] of [
      [fact.generationId, randomUUID()],
      [fact.generationId, "not-a-uuid"],
      [`gen-${randomUUID()}`, fact.accountId],
    ] as const) {
      await expect(getGeneration(id, accountId)).rejects.toMatchObject({ error: { code: "not_found", status: 404 } });
    }
  });

  it("records which API produced a generation, reading a fact older than the field as completions (issue 11)", async () => {
    const embeddings = completedFact({ apiType: "embeddings" });
    const older = completedFact();
    delete older.apiType;
    await publisher.publish(subjects.generationCompleted, embeddings, embeddings.generationId);
    await publisher.publish(subjects.generationCompleted, older, older.generationId);
    await waitForConsumerIdle();
    expect((await getGeneration(embeddings.generationId, embeddings.accountId)).data.api_type).toBe("embeddings");
    expect((await getGeneration(older.generationId, older.accountId)).data.api_type).toBe("completions");
    const rows = await testDatabase.database.selectFrom("generations").select(["id", "api_type"]).where("id", "in", [embeddings.generationId, older.generationId]).execute();
    expect(new Map(rows.map((row) => [row.id, row.api_type]))).toEqual(new Map([[embeddings.generationId, "embeddings"], [older.generationId, "completions"]]));
  });

  it("has no column that could hold prompt or completion text", async () => {
    const { rows } = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns
      WHERE table_name = 'generations' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea')
      ORDER BY column_name
    `.execute(testDatabase.database);
    // Identifiers, reasons and codes only; a new free-form column must be added here deliberately.
    expect(rows.map((row) => row.column_name)).toEqual([
      "api_type",
      "attempts",
      "endpoint_id",
      "error_code",
      "finish_reason",
      "id",
      "model",
      "native_finish_reason",
      "provider_id",
      "provider_name",
      "status",
      "upstream_id",
    ]);
  });
});
