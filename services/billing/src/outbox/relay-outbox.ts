import type { Subjects } from "@switchboard/contracts";
import type { BillingOutboxTopic, Database } from "@switchboard/db";
import { sql, type Kysely } from "kysely";

/** How long the relay leaves a key change to the handler that committed it before announcing it itself. */
export const keyChangeGraceSeconds = 2;

/** Publishes one fact to JetStream and resolves once the stream stored it (or dropped it as a duplicate). */
export type OutboxPublish = (subject: string, payload: string, messageId: string) => Promise<void>;

/** The JetStream message id of an outbox row: the same for every attempt, so the stream keeps one copy. */
export function outboxMessageId(id: number): string {
  return `billing-outbox-${id}`;
}

export function outboxSubject(subjects: Subjects, topic: BillingOutboxTopic): string {
  switch (topic) {
    case "billing-settled":
      return subjects.billingSettled;
    case "key-changed":
      return subjects.keyChanged;
  }
}

/**
 * One pass of the relay: takes up to `batchSize` unpublished outbox rows, oldest first, publishes them
 * and marks those the stream acknowledged as published, in one database transaction. Rows are locked
 * `FOR UPDATE SKIP LOCKED`, so two billing replicas never publish the same row at once; a row whose publish
 * failed stays unpublished for the next pass. A crash after a publish and before the mark commits publishes
 * the row again next time, with the same message id: JetStream's duplicate window drops the copy, and
 * consumers can dedupe by the id after it. Returns how many rows were published and how many failed.
 */
export async function relayOutbox(
  database: Kysely<Database>,
  options: { subjects: Subjects; publish: OutboxPublish; batchSize?: number },
): Promise<{ published: number; failed: number; firstError?: unknown }> {
  return database.transaction().execute(async (transaction) => {
    const { rows } = await sql<{ id: number; topic: BillingOutboxTopic; payload: string }>`
      SELECT id, topic, payload::text AS payload FROM billing_outbox
      WHERE published_at IS NULL
        -- A key change's handler announces it itself right after the commit, then marks it: only one it left
        -- unmarked for a while (it died in between) is the relay's, so a normal change is announced once.
        AND (topic <> 'key-changed' OR created_at < now() - make_interval(secs => ${keyChangeGraceSeconds}))
      ORDER BY id
      LIMIT ${options.batchSize ?? 200}
      FOR UPDATE SKIP LOCKED
    `.execute(transaction);
    if (rows.length === 0) return { published: 0, failed: 0 };
    // Sent on one connection in id order, so the stream stores them in that order; acknowledged together.
    const outcomes = await Promise.allSettled(rows.map((row) => options.publish(outboxSubject(options.subjects, row.topic), row.payload, outboxMessageId(row.id))));
    const published = rows.filter((_row, index) => outcomes[index]?.status === "fulfilled").map((row) => row.id);
    if (published.length > 0) {
      await sql`UPDATE billing_outbox SET published_at = now() WHERE id = ANY(${published}::bigint[])`.execute(transaction);
    }
    const rejection = outcomes.find((outcome) => outcome.status === "rejected");
    return {
      published: published.length,
      failed: rows.length - published.length,
      ...(rejection ? { firstError: (rejection as PromiseRejectedResult).reason } : {}),
    };
  });
}

/**
 * Deletes up to `limit` outbox rows published more than `keepMs` ago, oldest first, and returns how many:
 * once published, a fact lives in the stream, and settlement adds a row per generation. Walks the primary
 * key from the oldest row, where the published ones are, so it stays cheap on a large table.
 */
export async function pruneOutbox(database: Kysely<Database>, options: { keepMs: number; limit?: number }): Promise<number> {
  const result = await sql`
    DELETE FROM billing_outbox WHERE id IN (
      SELECT id FROM billing_outbox
      WHERE published_at < now() - make_interval(secs => ${options.keepMs / 1000})
      ORDER BY id
      LIMIT ${options.limit ?? 10_000}
    )
  `.execute(database);
  return Number(result.numAffectedRows ?? 0);
}
