import { keyChangedSchema, type KeyChanged } from "@switchboard/contracts";
import { sql } from "kysely";
import type { KeyChangePublisher } from "../key-changes/key-change-publisher.js";
import type { DatabaseExecutor } from "../repositories/database-executor.js";

/**
 * Writes key-change announcements into the outbox, in the transaction of the change, and returns their
 * outbox ids for `announceKeyChanges`. The handler announces at once after the commit (the fast path every
 * ingress acts on) and then marks the rows published; the relay announces only rows left unmarked for a
 * while (relay-outbox.ts), which is what a billing or CLI that died between its commit and its
 * announcement leaves: no revocation is lost, and a normal change is announced once.
 */
export async function recordKeyChanges(transaction: DatabaseExecutor, changes: readonly KeyChanged[]): Promise<number[]> {
  if (changes.length === 0) return [];
  const rows = await transaction
    .insertInto("billing_outbox")
    .values(changes.map((change) => ({ topic: "key-changed" as const, payload: JSON.stringify(keyChangedSchema.parse(change)) })))
    .returning("id")
    .execute();
  return rows.map((row) => row.id);
}

/**
 * After the commit: announces the changes through `publisher` (which reports its own failures and never
 * rejects), then marks their outbox rows published. A process that dies before the mark leaves the rows
 * to the relay.
 */
export async function announceKeyChanges(
  database: DatabaseExecutor,
  publisher: KeyChangePublisher,
  changes: readonly KeyChanged[],
  outboxIds: readonly number[],
): Promise<void> {
  await Promise.all(changes.map((change) => publisher.publish(change)));
  if (outboxIds.length === 0) return;
  await sql`UPDATE billing_outbox SET published_at = now() WHERE id = ANY(${[...outboxIds]}::bigint[]) AND published_at IS NULL`.execute(database);
}
