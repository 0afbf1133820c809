import { sql, type Kysely } from "kysely";

/**
 * Prices for the usage split (issues 10 and 11): an endpoint may price cache reads, cache writes and
 * reasoning tokens apart from prompt and completion tokens (pico-dollars per token), and charge per request
 * and per input image (pico-dollars each). NULL means the catalog gives no such price: cache reads and
 * writes then cost the prompt price, reasoning tokens the completion price, requests and images nothing
 * (computeCostMicros). Generations record the cache-write tokens beside the cached-read ones; rows older
 * than the column had none reported, hence the default 0.
 */
export async function up(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE endpoints
      ADD COLUMN cache_read_price_picos bigint CHECK (cache_read_price_picos >= 0),
      ADD COLUMN cache_write_price_picos bigint CHECK (cache_write_price_picos >= 0),
      ADD COLUMN reasoning_price_picos bigint CHECK (reasoning_price_picos >= 0),
      ADD COLUMN request_price_picos bigint CHECK (request_price_picos >= 0),
      ADD COLUMN image_price_picos bigint CHECK (image_price_picos >= 0);
    ALTER TABLE generations ADD COLUMN tokens_cache_write integer NOT NULL DEFAULT 0;
  `.execute(database);
}

export async function down(database: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE generations DROP COLUMN tokens_cache_write;
    ALTER TABLE endpoints
      DROP COLUMN cache_read_price_picos,
      DROP COLUMN cache_write_price_picos,
      DROP COLUMN reasoning_price_picos,
      DROP COLUMN request_price_picos,
      DROP COLUMN image_price_picos;
  `.execute(database);
}
