import { sql, type Kysely } from "kysely";

/**
 * Per-key spending limits (issue 10): `limit_micros` (null: no limit) caps what a key's generations may
 * spend, in all or per UTC day, week (Monday) or month as `limit_reset` says. A reservation of a limited
 * key sums the key's charges in the period and its pending holds, so reservations gain an index by key.
 * Setting a limit is an audited admin operation: the audit's CHECK constraint (last replaced by
 * 2026-11-30T17-00-management-keys) gains `set-key-limit`.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE api_keys ADD COLUMN limit_micros bigint CHECK (limit_micros >= 0);
    ALTER TABLE api_keys ADD COLUMN limit_reset text CHECK (limit_reset IN ('daily', 'weekly', 'monthly'));
    CREATE INDEX reservations_key_resolved ON reservations (key_id, resolved_at);
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key', 'create-management-key', 'set-key-limit'));
  `.execute(database);
}

/** Refuses while a live key has a limit: dropping the column would silently let that key spend without one. */
export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM api_keys WHERE limit_micros IS NOT NULL AND deleted_at IS NULL) THEN
        RAISE EXCEPTION 'some API keys have a spending limit; migrating down would lift it';
      END IF;
    END $$;
    DELETE FROM admin_audit WHERE action = 'set-key-limit';
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key', 'create-management-key'));
    DROP INDEX reservations_key_resolved;
    ALTER TABLE api_keys DROP COLUMN limit_reset;
    ALTER TABLE api_keys DROP COLUMN limit_micros;
  `.execute(database);
}
