import { sql, type Kysely } from "kysely";

/**
 * Double-entry ledger (issue 10). Every money movement is one row of `ledger_transactions` (what moved and
 * why: kind, reason, generation) and its postings in `ledger_entries`, which sum to zero. A posting is on a
 * customer account (`account_id`) or on a system ledger account (`ledger_account`): `funding` is where
 * grants and adjustments come from, `revenue` where charges go. Customer postings keep the shape they had
 * (account, kind, signed amount, generation id), so Σ ledger_entries of an account is still its balance
 * and `ledger_entries_one_charge_per_generation` still guards each generation's charge; a system posting
 * carries no generation id (its transaction does), so readers counting charges per generation see one.
 *
 * PostgreSQL enforces, whatever the application does:
 * - a transaction's postings sum to zero and there are at least two. Both legs are inserted by one
 *   statement (settlement inserts a whole batch's legs in one), and statement-level triggers check every
 *   transaction that statement touched, at its end: cheaper than a deferred per-row trigger on the
 *   settlement path;
 * - one charge transaction per generation (a unique index, the target of settlement's ON CONFLICT);
 * - the ledger is append-only: UPDATE, DELETE and TRUNCATE raise, and PUBLIC is refused UPDATE and DELETE.
 *
 * `accounts.balance_micros` stays a cached balance the application moves in the transaction of the
 * postings; reconciliation (services/billing/src/repositories/ledger-reconciliation.ts) reports any drift.
 *
 * Existing entries become one transaction each (same id and time), with a counter-leg on `funding` for a
 * grant and on `revenue` for a charge.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ledger_transactions (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('grant', 'adjustment', 'charge')),
      -- Why an admin moved money; required for an adjustment, null for charges.
      reason text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
      generation_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (kind <> 'adjustment' OR reason IS NOT NULL),
      CHECK ((kind = 'charge') = (generation_id IS NOT NULL))
    );
    -- A generation is charged at most once, whatever the broker redelivers; settlement's ON CONFLICT target.
    CREATE UNIQUE INDEX ledger_transactions_one_charge_per_generation ON ledger_transactions (generation_id) WHERE kind = 'charge';

    INSERT INTO ledger_transactions (id, kind, generation_id, created_at)
      SELECT id, kind, generation_id, created_at FROM ledger_entries ORDER BY id;
    SELECT setval(pg_get_serial_sequence('ledger_transactions', 'id'), coalesce((SELECT max(id) FROM ledger_transactions), 0) + 1, false);

    ALTER TABLE ledger_entries ADD COLUMN transaction_id bigint REFERENCES ledger_transactions (id);
    UPDATE ledger_entries SET transaction_id = id;
    ALTER TABLE ledger_entries ALTER COLUMN transaction_id SET NOT NULL;
    ALTER TABLE ledger_entries ADD COLUMN ledger_account text CHECK (ledger_account IN ('funding', 'revenue'));
    ALTER TABLE ledger_entries ALTER COLUMN account_id DROP NOT NULL;
    ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_one_owner CHECK (num_nonnulls(account_id, ledger_account) = 1);
    ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_generation_on_customer CHECK (generation_id IS NULL OR account_id IS NOT NULL);
    ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
    ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('grant', 'adjustment', 'charge'));
    CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id);

    INSERT INTO ledger_entries (transaction_id, ledger_account, kind, amount_micros, created_at)
      SELECT id, CASE kind WHEN 'grant' THEN 'funding' ELSE 'revenue' END, kind, -amount_micros, created_at
      FROM ledger_entries ORDER BY id;

    -- At the end of each statement that inserted transactions or postings: every transaction it touched has
    -- at least two postings, and they sum to zero.
    CREATE FUNCTION ledger_check_balanced(transaction_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      unbalanced record;
    BEGIN
      SELECT touched.id, coalesce(sum(entry.amount_micros), 0) AS total, count(entry.id) AS postings INTO unbalanced
      FROM unnest(transaction_ids) AS touched (id)
        LEFT JOIN ledger_entries entry ON entry.transaction_id = touched.id
      GROUP BY touched.id
      HAVING coalesce(sum(entry.amount_micros), 0) <> 0 OR count(entry.id) < 2
      LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: % postings summing to %', unbalanced.id, unbalanced.postings, unbalanced.total
          USING ERRCODE = 'check_violation';
      END IF;
    END
    $$;
    CREATE FUNCTION ledger_transactions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ledger_check_balanced(ARRAY(SELECT id FROM inserted_transactions));
      RETURN NULL;
    END
    $$;
    CREATE FUNCTION ledger_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM ledger_check_balanced(ARRAY(SELECT DISTINCT transaction_id FROM inserted_entries));
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
      REFERENCING NEW TABLE AS inserted_transactions FOR EACH STATEMENT EXECUTE FUNCTION ledger_transactions_inserted();
    CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
      REFERENCING NEW TABLE AS inserted_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_inserted();

    CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the ledger is append-only: % on % is refused; record a correcting transaction instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END
    $$;
    CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
    CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
    CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
      FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
    CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
    REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries, ledger_transactions FROM PUBLIC;

    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key', 'create-management-key', 'set-key-limit', 'set-key-rate-limit', 'adjust-credits'));
  `.execute(database);
}

/**
 * Back to single-sided entries: drops the system postings and the transactions. Refuses while an
 * adjustment exists, which the old schema cannot represent (its kinds are grant and charge).
 */
export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM ledger_transactions WHERE kind = 'adjustment') THEN
        RAISE EXCEPTION 'the ledger holds adjustments; migrating down would lose them';
      END IF;
    END $$;
    ALTER TABLE admin_audit DROP CONSTRAINT admin_audit_action_check;
    ALTER TABLE admin_audit ADD CONSTRAINT admin_audit_action_check
      CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key', 'set-account-policy', 'rename-key', 'delete-key', 'create-management-key', 'set-key-limit', 'set-key-rate-limit'));
    DROP TRIGGER ledger_entries_append_only ON ledger_entries;
    DROP TRIGGER ledger_entries_no_truncate ON ledger_entries;
    DROP TRIGGER ledger_transactions_append_only ON ledger_transactions;
    DROP TRIGGER ledger_transactions_no_truncate ON ledger_transactions;
    DROP TRIGGER ledger_entries_balanced ON ledger_entries;
    DROP TRIGGER ledger_transactions_balanced ON ledger_transactions;
    DROP FUNCTION ledger_append_only();
    DROP FUNCTION ledger_entries_inserted();
    DROP FUNCTION ledger_transactions_inserted();
    DROP FUNCTION ledger_check_balanced(bigint[]);
    DELETE FROM ledger_entries WHERE account_id IS NULL;
    DROP INDEX ledger_entries_transaction;
    ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
    ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('grant', 'charge'));
    ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_generation_on_customer;
    ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_one_owner;
    ALTER TABLE ledger_entries ALTER COLUMN account_id SET NOT NULL;
    ALTER TABLE ledger_entries DROP COLUMN ledger_account;
    ALTER TABLE ledger_entries DROP COLUMN transaction_id;
    DROP TABLE ledger_transactions;
  `.execute(database);
}
