import { sql, type Kysely } from "kysely";

/**
 * Key management (issue 10): `DELETE /api/v1/keys/{hash}` marks a key deleted instead of removing the row,
 * because reservations, ledger-backed usage figures, generations and the audit still refer to it. A deleted
 * key authenticates like an unknown one and is listed nowhere. Renaming and deleting a key are audited admin
 * operations, so the audit's CHECK constraint (last replaced by 2026-11-30T15-00-account-data-policy) gains
 * `rename-key` and `delete-key`.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE api_keys ADD COLUMN deleted_at timestamptz;
    CREATE INDEX api_keys_account ON api_keys (account_id, created_at) WHERE deleted_at IS NULL;
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key'));
  `.execute(database);
}

/**
 * Refuses while a key is deleted: dropping the column would bring every deleted key (perhaps a leaked one)
 * back to life, silently.
 */
export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM api_keys WHERE deleted_at IS NOT NULL) THEN
        RAISE EXCEPTION 'some API keys are deleted; migrating down would make them work again';
      END IF;
    END $$;
    DELETE FROM admin_audit WHERE action IN ('rename-key', 'delete-key');
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy'));
    DROP INDEX api_keys_account;
    ALTER TABLE api_keys DROP COLUMN deleted_at;
  `.execute(database);
}
