import { sql, type Kysely } from "kysely";

/**
 * Settlement anomalies (issue 8): a completion fact billing holds nothing for (no reservation of its
 * generation for its account and key, or a lease that does not exist or is another account's) is not
 * charged but recorded here, once per generation id, so that an operator sees forged or broken facts
 * instead of a silent charge. Written only by billing. Ids and amounts only: no prompt or completion text.
 *
 * The account and key ids are text, as the fact named them: a forged fact may name no real account, and
 * the record must still be written (a foreign key or a uuid column would refuse it, and the fact would be
 * redelivered forever).
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE settlement_anomalies (
      generation_id text PRIMARY KEY,
      account_id text NOT NULL,
      key_id text NOT NULL,
      -- The lease the fact named, if any; not a reference, since it may name none.
      lease_id uuid,
      claimed_micros bigint NOT NULL CHECK (claimed_micros >= 0),
      reason text NOT NULL CHECK (reason IN ('no-hold', 'lease-not-found', 'account-mismatch', 'key-mismatch', 'exceeds-lease')),
      recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX settlement_anomalies_recorded ON settlement_anomalies (recorded_at DESC, generation_id);
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE settlement_anomalies;`.execute(database);
}
