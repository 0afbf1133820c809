import { computeCostMicros, generationApiTypes, generationStatuses, type GenerationCompleted } from "@switchboard/contracts";
import type { Database, GenerationRow, GenerationsTable } from "@switchboard/db";
import type { Insertable, Kysely, Transaction } from "kysely";

/** What every repository function takes first: the database, or a transaction the caller already opened. */
export type DatabaseExecutor = Kysely<Database> | Transaction<Database>;

/**
 * PostgreSQL text and jsonb cannot hold NUL, and a provider's finish reason or response id may contain
 * one: such a fact would fail its insert on every redelivery and never be recorded. NUL becomes U+FFFD,
 * so the row is written and shows that something odd was there.
 */
function storable<Text extends string | null>(text: Text): Text {
  return (text === null ? null : text.replaceAll("\u0000", "\ufffd")) as Text;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Why a fact can never become a row (the columns would reject it), or null when it can. Such a fact is
 * dropped with an error log instead of being retried forever.
 */
export function findUnrecordableField(fact: GenerationCompleted): string | null {
  if (!uuidPattern.test(fact.accountId)) return "accountId is not a UUID";
  if (!uuidPattern.test(fact.keyId)) return "keyId is not a UUID";
  if (Number.isNaN(Date.parse(fact.createdAt))) return "createdAt is not a timestamp";
  return null;
}

/** The `generations` row of a fact: metadata only, cost computed exactly as billing charges it. */
export function toGenerationRow(fact: GenerationCompleted): Insertable<GenerationsTable> {
  return {
    id: fact.generationId,
    account_id: fact.accountId,
    key_id: fact.keyId,
    model: storable(fact.modelId),
    provider_id: storable(fact.providerId),
    provider_name: storable(fact.providerName),
    endpoint_id: storable(fact.endpointId),
    tokens_prompt: fact.usage.promptTokens,
    tokens_completion: fact.usage.completionTokens,
    tokens_cached: fact.usage.cachedPromptTokens,
    tokens_cache_write: fact.usage.cacheWriteTokens,
    tokens_reasoning: fact.usage.reasoningTokens,
    usage_estimated: fact.usageEstimated,
    cost_micros: computeCostMicros(fact.usage, fact.price),
    latency_ms: fact.latencyMs,
    time_to_first_token_ms: fact.timeToFirstTokenMs,
    finish_reason: storable(fact.finishReason),
    native_finish_reason: storable(fact.nativeFinishReason),
    streamed: fact.streamed,
    cancelled: fact.status === generationStatuses.cancelled,
    status: fact.status,
    error_code: storable(fact.errorCode),
    upstream_id: storable(fact.upstreamId),
    attempts: JSON.stringify(
      fact.attempts.map((attempt) => ({
        ...attempt,
        endpointId: storable(attempt.endpointId),
        providerId: storable(attempt.providerId),
        errorCode: storable(attempt.errorCode),
        ...(attempt.modelId === undefined ? {} : { modelId: storable(attempt.modelId) }),
        ...(attempt.providerName === undefined ? {} : { providerName: storable(attempt.providerName) }),
      })),
    ),
    created_at: new Date(fact.createdAt),
    // Facts older than the field were all completions.
    api_type: fact.apiType ?? generationApiTypes.completions,
  };
}

/**
 * Records a batch of generations in ONE multi-row statement, so it commits or fails as a whole.
 * Idempotent by generation id: a fact already recorded, or repeated within the batch, keeps the first
 * row written (the batch is reduced to each id's first fact, since one statement may not insert a key
 * twice). Returns how many rows this call inserted.
 */
export async function insertGenerations(database: DatabaseExecutor, facts: readonly GenerationCompleted[]): Promise<number> {
  const firstOfEach = new Map<string, GenerationCompleted>();
  for (const fact of facts) if (!firstOfEach.has(fact.generationId)) firstOfEach.set(fact.generationId, fact);
  if (firstOfEach.size === 0) return 0;
  const result = await database
    .insertInto("generations")
    .values([...firstOfEach.values()].map(toGenerationRow))
    .onConflict((conflict) => conflict.column("id").doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/** The generation when it belongs to `accountId`; undefined when unknown or another account's. */
export async function findGeneration(
  database: DatabaseExecutor,
  id: string,
  accountId: string,
): Promise<GenerationRow | undefined> {
  if (!uuidPattern.test(accountId)) return undefined;
  return database
    .selectFrom("generations")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
}
