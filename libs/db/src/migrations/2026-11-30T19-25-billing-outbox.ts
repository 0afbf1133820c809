import { sql, type Kysely } from "kysely";

/**
 * Billing's transactional outbox (issue 10): a fact billing publishes after a commit (`billing-settled`
 * for each generation settlement resolved, `key-changed` for each key change) is written here in the transaction of the change, and the
 * relay (services/billing/src/outbox/outbox-relay.ts) publishes it to JetStream with the row's id as
 * message id and marks it published. A crash between commit and publish loses nothing: the row waits.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE billing_outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL CHECK (topic IN ('billing-settled', 'key-changed')),
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    );
    CREATE INDEX billing_outbox_unpublished ON billing_outbox (id) WHERE published_at IS NULL;
  `.execute(database);
}

/** Refuses while a fact waits to be published: dropping the table would lose it. */
export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM billing_outbox WHERE published_at IS NULL) THEN
        RAISE EXCEPTION 'billing_outbox holds unpublished facts; let the relay publish them first';
      END IF;
    END $$;
    DROP TABLE billing_outbox;
  `.execute(database);
}
