import { computeCostMicros, generationStatuses, type GenerationCompleted } from "@switchboard/contracts";
import type { Database, GenerationRow } from "@switchboard/db";
import type { Kysely, Transaction } from "kysely";

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

/**
 * Records one generation's metadata (never its text), with the cost computed from the fact's usage and
 * price exactly as billing charges it. Idempotent by generation id; true when this call inserted the row.
 */
export async function insertGeneration(database: DatabaseExecutor, fact: GenerationCompleted): Promise<boolean> {
  const result = await database
    .insertInto("generations")
    .values({
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
        fact.attempts.map((attempt) => ({ ...attempt, endpointId: storable(attempt.endpointId), providerId: storable(attempt.providerId), errorCode: storable(attempt.errorCode) })),
      ),
      created_at: new Date(fact.createdAt),
    })
    .onConflict((conflict) => conflict.column("id").doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
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
