import { sql, type Kysely } from "kysely";

/**
 * Generations record which API produced them, as OpenRouter's generation record does (`api_type`, issue
 * 11): `completions` for chat and legacy text completions, `embeddings` for embeddings. Rows older than the
 * column were all written as `completions` (GET /generation answered that for every row), hence the default.
 *
 * Three statements, as PostgreSQL advises for a CHECK on a big table: a column with a constant default is
 * added without a rewrite (PostgreSQL 11+), the CHECK is added NOT VALID (no scan), and `VALIDATE
 * CONSTRAINT` scans under SHARE UPDATE EXCLUSIVE instead of ACCESS EXCLUSIVE. Caveat: kysely applies the
 * pending migrations in one transaction, so the ACCESS EXCLUSIVE lock the ADD took is still held while the
 * validation scans; the split pays off fully only when the validation runs in a transaction of its own.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE generations ADD COLUMN api_type text NOT NULL DEFAULT 'completions';`.execute(database);
  await sql`
    ALTER TABLE generations ADD CONSTRAINT generations_api_type_check CHECK (api_type IN ('completions', 'embeddings')) NOT VALID;
  `.execute(database);
  await sql`ALTER TABLE generations VALIDATE CONSTRAINT generations_api_type_check;`.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  // Dropping the column drops its constraint with it.
  await sql`ALTER TABLE generations DROP COLUMN api_type;`.execute(database);
}
