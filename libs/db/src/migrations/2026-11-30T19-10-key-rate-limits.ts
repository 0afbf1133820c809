import { sql, type Kysely } from "kysely";

/**
 * Per-key rate limits (issue 10): at most `rate_limit_requests` model requests per
 * `rate_limit_interval_seconds`, enforced by ingress across its replicas. Both null (the default) leaves the
 * key to the ingress default (RATE_LIMIT_REQUESTS), which is no limit unless configured. The audit's CHECK
 * constraint (last replaced by 2026-11-30T19-00-key-spending-limits) gains `set-key-rate-limit`.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE api_keys
      ADD COLUMN rate_limit_requests integer,
      ADD COLUMN rate_limit_interval_seconds integer,
      ADD CONSTRAINT api_keys_rate_limit_check CHECK (
        (rate_limit_requests IS NULL AND rate_limit_interval_seconds IS NULL)
        OR (rate_limit_requests > 0 AND rate_limit_interval_seconds BETWEEN 1 AND 86400)
      );
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key', 'create-management-key', 'set-key-limit', 'set-key-rate-limit'));
  `.execute(database);
}

/** Drops the limits (keys fall back to the ingress default) and the audit rows that set them. */
export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    DELETE FROM admin_audit WHERE action = 'set-key-rate-limit';
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key', 'create-management-key', 'set-key-limit'));
    ALTER TABLE api_keys DROP CONSTRAINT api_keys_rate_limit_check, DROP COLUMN rate_limit_requests, DROP COLUMN rate_limit_interval_seconds;
  `.execute(database);
}
