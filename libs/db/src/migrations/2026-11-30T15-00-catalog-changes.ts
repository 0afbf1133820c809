import { sql, type Kysely } from "kysely";

/**
 * Run-time catalog changes (issue 9): what the admin API added, replaced, disabled or enabled, one row per
 * provider, model or endpoint. The YAML catalog file stays the seed; the router applies these rows over it
 * on every start, so a restart keeps them. Written only by the router, under the catalog advisory lock, so
 * `revision` grows in commit order and replicas can tell which catalog is newer. Never holds a secret:
 * providers name their key variable, never the key.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE SEQUENCE catalog_change_revisions;
    CREATE TABLE catalog_changes (
      kind text NOT NULL CHECK (kind IN ('provider', 'model', 'endpoint')),
      -- A provider id, a model id, or an endpoint id "<model id>@<provider id>".
      id text NOT NULL,
      -- The entry in the catalog file's own shape; null when only its disabled flag was set.
      document jsonb,
      disabled boolean NOT NULL DEFAULT false,
      revision bigint NOT NULL DEFAULT nextval('catalog_change_revisions'),
      changed_at timestamptz NOT NULL DEFAULT now(),
      -- The admin caller's actor ("admin-key:<fingerprint>") and ingress request id.
      changed_by text NOT NULL,
      request_id text,
      PRIMARY KEY (kind, id)
    );
  `.execute(database);
}

/**
 * Refuses while run-time changes exist: dropping them would silently put the seed file back in force, and a
 * later `up` would restart the revisions at 1, below what running replicas have loaded (they would ignore
 * every new change). Delete the rows deliberately first if that is really wanted.
 */
export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM catalog_changes) THEN
        RAISE EXCEPTION 'catalog_changes holds run-time catalog changes; delete them first to migrate down';
      END IF;
    END $$;
    DROP TABLE catalog_changes; DROP SEQUENCE catalog_change_revisions;
  `.execute(database);
}
