import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "./database.js";

const int8TypeId = 20;

/**
 * BIGINT columns hold micro-dollars and pico-dollar prices; they come back as JS numbers, and a value
 * beyond 2^53 (which no balance or price of ours reaches) fails loudly instead of losing precision.
 */
function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`BIGINT ${value} is beyond the safe integer range`);
  return parsed;
}

export interface CreateDatabaseOptions {
  connectionString: string;
  maxConnections?: number;
  applicationName?: string;
}

/** A kysely instance over a `pg` pool. Call `destroy()` on shutdown. */
export function createDatabase(options: CreateDatabaseOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? "switchboard",
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: ((typeId: number, format?: string) =>
        typeId === int8TypeId ? parseInt8 : pg.types.getTypeParser(typeId, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // A client losing its connection (PostgreSQL restarting or stopped) emits 'error': on the pool while
  // idle, on the client itself while checked out. Without a listener either would end the process; the
  // query in hand fails instead (answered as an outage), and the pool discards the broken client.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** True when a trivial query answers within `timeoutMs`. */
export async function checkDatabase(database: Kysely<Database>, timeoutMs = 1_000): Promise<boolean> {
  try {
    await Promise.race([
      database.selectNoFrom((expression) => expression.lit(1).as("ok")).execute(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}
