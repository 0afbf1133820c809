import { sql, type Kysely } from "kysely";

/**
 * The admin audit (issue 8): every admin operation that changes money or keys (create an account, grant
 * credits, create, disable or enable a key) writes one row in the same transaction as the change, naming
 * who asked for it, so a change without its audit row cannot commit. Written only by billing. It never
 * holds a secret: the admin key appears only as a short fingerprint inside `actor`, a created key only
 * by its id.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE admin_audit (
      id bigserial PRIMARY KEY,
      action text NOT NULL CHECK (action IN ('create-account', 'grant-credits', 'create-key', 'disable-key', 'enable-key')),
      -- Who asked: "admin-key:<fingerprint>" through the HTTP API, "cli:<os user>" through npm run admin.
      actor text NOT NULL,
      -- The HTTP client's address, as ingress saw it; null from the CLI.
      client_address text,
      account_id uuid REFERENCES accounts (id),
      key_id uuid REFERENCES api_keys (id),
      amount_micros bigint,
      -- The ingress request id, to find the request in the access log; null from the CLI.
      request_id text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX admin_audit_newest ON admin_audit (created_at DESC, id DESC);
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE admin_audit;`.execute(database);
}
