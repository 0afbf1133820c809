import { sql, type Kysely } from "kysely";

/**
 * An account's data policy (issue 9): `data_collection = 'deny'` keeps every request of the account away
 * from providers that may train on the data, `zdr` keeps it on zero-data-retention endpoints. A request can
 * only tighten it. The defaults are what every account had before: everything allowed. Changing it is an
 * audited admin operation, hence the new audit action.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE accounts
      ADD COLUMN data_collection text NOT NULL DEFAULT 'allow' CHECK (data_collection IN ('allow', 'deny')),
      ADD COLUMN zdr boolean NOT NULL DEFAULT false;
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy'));
    -- The policy a set-account-policy left the account with ({"data_collection", "zdr"}); null for other actions.
    ALTER TABLE admin_audit ADD COLUMN data_policy jsonb;
  `.execute(database);
}

/**
 * Refuses while an account has a policy other than the default: dropping the columns would turn a `deny`
 * or `zdr` account into one that allows everything, silently, after a later `up`.
 */
export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM accounts WHERE data_collection <> 'allow' OR zdr) THEN
        RAISE EXCEPTION 'some accounts have a data policy (data_collection deny or zdr); reset them to allow / false first to migrate down';
      END IF;
    END $$;
    DELETE FROM admin_audit WHERE action = 'set-account-policy';
    ALTER TABLE admin_audit DROP COLUMN data_policy;
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key'));
    ALTER TABLE accounts DROP COLUMN data_collection, DROP COLUMN zdr;
  `.execute(database);
}
