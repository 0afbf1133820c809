import { sql, type Kysely } from "kysely";

/**
 * Generations record which API produced them, as OpenRouter's generation record does (`api_type`, issue
 * 11): `completions` for chat and legacy text completions, `embeddings` for embeddings. Rows older than the
 * column were all written as `completions` (GET /generation answered that for every row), hence the default.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE generations ADD COLUMN api_type text NOT NULL DEFAULT 'completions'
      CONSTRAINT generations_api_type_check CHECK (api_type IN ('completions', 'embeddings'));
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE generations DROP COLUMN api_type;`.execute(database);
}
