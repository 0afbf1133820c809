import { sql, type Kysely } from "kysely";

/**
 * Credit leases (issue 7): billing moves a slice of an account's available credit to an ingress replica,
 * which then holds each request's upper bound locally, with no database write on the request path.
 *
 * `accounts.leased_micros` is the credit all of an account's leases still hold: granted − returned −
 * consumed by settled generations. A lease consumes through the reservation row settlement writes for
 * each of its generations (`lease_id`, `lease_consumed_micros`), so consumption is idempotent by
 * generation id like every charge. The trigger is the PostgreSQL guarantee the issue asks for: no
 * statement may raise what reservations and leases hold beyond the balance, whatever the application does.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE accounts ADD COLUMN leased_micros bigint NOT NULL DEFAULT 0 CHECK (leased_micros >= 0);

    CREATE TABLE credit_leases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      account_id uuid NOT NULL REFERENCES accounts (id),
      -- The ingress replica holding it: for operators, never used to decide anything.
      holder text NOT NULL,
      granted_micros bigint NOT NULL CHECK (granted_micros >= 0),
      returned_micros bigint NOT NULL DEFAULT 0 CHECK (returned_micros >= 0),
      status text NOT NULL CHECK (status IN ('active', 'closed', 'expired')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    );
    CREATE INDEX credit_leases_open_expiry ON credit_leases (expires_at) WHERE status <> 'expired';
    CREATE INDEX credit_leases_active_account ON credit_leases (account_id) WHERE status = 'active';

    ALTER TABLE reservations ADD COLUMN lease_id uuid REFERENCES credit_leases (id);
    ALTER TABLE reservations ADD COLUMN lease_consumed_micros bigint CHECK (lease_consumed_micros >= 0);
    CREATE INDEX reservations_lease ON reservations (lease_id) WHERE lease_id IS NOT NULL;

    CREATE FUNCTION accounts_holds_within_balance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.reserved_micros + NEW.leased_micros > OLD.reserved_micros + OLD.leased_micros
         AND NEW.reserved_micros + NEW.leased_micros > NEW.balance_micros THEN
        RAISE EXCEPTION 'account % would hold % of a balance of %', NEW.id, NEW.reserved_micros + NEW.leased_micros, NEW.balance_micros
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER accounts_holds_within_balance BEFORE UPDATE OF reserved_micros, leased_micros ON accounts
      FOR EACH ROW EXECUTE FUNCTION accounts_holds_within_balance();
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER accounts_holds_within_balance ON accounts;
    DROP FUNCTION accounts_holds_within_balance();
    ALTER TABLE reservations DROP COLUMN lease_consumed_micros;
    ALTER TABLE reservations DROP COLUMN lease_id;
    DROP TABLE credit_leases;
    ALTER TABLE accounts DROP COLUMN leased_micros;
  `.execute(database);
}
