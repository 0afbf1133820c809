import { sql, type Kysely } from "kysely";

/**
 * Usage reports are per attempt (issue 10 review): metadata-logging's reports now keep their attempt
 * number so a later attempt's report replaces an earlier one's (as billing's already could), and both
 * tables can mark a stored report that no longer parses ('unparsable') instead of failing every pass. A
 * settlement anomaly may now also say that a report named a lease its ingress does not hold.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE logging_usage_reports ADD COLUMN attempt integer NOT NULL DEFAULT 0;
    ALTER TABLE logging_usage_reports ADD COLUMN unparsable boolean NOT NULL DEFAULT false;
    ALTER TABLE settlement_anomalies DROP CONSTRAINT settlement_anomalies_reason_check;
    ALTER TABLE settlement_anomalies ADD CONSTRAINT settlement_anomalies_reason_check
      CHECK (reason IN ('no-hold', 'lease-not-found', 'account-mismatch', 'key-mismatch', 'exceeds-lease', 'conflicting-usage', 'lease-holder-mismatch'));
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DELETE FROM settlement_anomalies WHERE reason = 'lease-holder-mismatch';
    ALTER TABLE settlement_anomalies DROP CONSTRAINT settlement_anomalies_reason_check;
    ALTER TABLE settlement_anomalies ADD CONSTRAINT settlement_anomalies_reason_check
      CHECK (reason IN ('no-hold', 'lease-not-found', 'account-mismatch', 'key-mismatch', 'exceeds-lease', 'conflicting-usage'));
    ALTER TABLE logging_usage_reports DROP COLUMN unparsable;
    ALTER TABLE logging_usage_reports DROP COLUMN attempt;
  `.execute(database);
}
