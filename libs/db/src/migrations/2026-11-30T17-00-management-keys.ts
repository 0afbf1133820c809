import { sql, type Kysely } from "kysely";

/**
 * Management keys (issue 10): a key the admin creates with `management: true` manages its account's keys
 * (`/api/v1/keys`) and cannot call models. The audit's CHECK constraint (last replaced by
 * 2026-11-30T16-30-key-deletion) gains `create-management-key`, so the audit tells which keys can manage.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE api_keys ADD COLUMN management boolean NOT NULL DEFAULT false;
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key', 'create-management-key'));
  `.execute(database);
}

/**
 * Refuses while a management key is live: dropping the column would silently turn it into an inference key,
 * able to spend the account's credits on models. The audit keeps its rows, recorded as plain `create-key`.
 */
export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM api_keys WHERE management AND deleted_at IS NULL) THEN
        RAISE EXCEPTION 'some management keys are not deleted; migrating down would let them call models';
      END IF;
    END $$;
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    UPDATE admin_audit SET action = 'create-key' WHERE action = 'create-management-key';
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key'));
    ALTER TABLE api_keys DROP COLUMN management;
  `.execute(database);
}
