import { sql, type Kysely } from "kysely";

/**
 * The provider connector's usage reports (issue 10), the second witness of a generation beside ingress's
 * completion fact, kept until their grace period is over. One table per reading service, since each table
 * has one writer: billing settles a generation from its report when no completion fact settled it in time
 * (`connector_usage_reports`), metadata-logging records it (`logging_usage_reports`). Ids, counts and
 * amounts only: no prompt or completion text.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE connector_usage_reports (
      generation_id text PRIMARY KEY,
      attempt integer NOT NULL,
      -- As the report named them; settlement checks them against what billing holds, like a fact's.
      account_id text NOT NULL,
      key_id text NOT NULL,
      lease_id uuid,
      -- The report as received (ConnectorUsageReport, metadata only).
      report jsonb NOT NULL,
      cost_micros bigint NOT NULL CHECK (cost_micros >= 0),
      received_at timestamptz NOT NULL DEFAULT now(),
      -- Set once the report's grace period was over and settlement looked at it.
      resolved_at timestamptz,
      -- What settlement did with it: settled, voided, already-resolved, charged-after-expiry or anomaly.
      outcome text,
      -- A conflict: ingress's completion fact settled (or, arriving later, claimed) another cost than the report's.
      conflicting_cost_micros bigint
    );
    CREATE INDEX connector_usage_reports_due ON connector_usage_reports (received_at) WHERE resolved_at IS NULL;
    CREATE TABLE logging_usage_reports (
      generation_id text PRIMARY KEY,
      report jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      -- Set once the grace period was over; recorded says whether the report made the generation's row.
      resolved_at timestamptz,
      recorded boolean
    );
    CREATE INDEX logging_usage_reports_due ON logging_usage_reports (received_at) WHERE resolved_at IS NULL;
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE logging_usage_reports; DROP TABLE connector_usage_reports;`.execute(database);
}
