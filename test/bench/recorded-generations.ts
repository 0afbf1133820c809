import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

/** What PostgreSQL holds for a set of accounts: generations recorded by metadata-logging and charged by billing. */
export interface RecordedGenerations {
  /** Rows in `generations` (written by metadata-logging). */
  recorded: number;
  /** Distinct generations with a `charge` in `ledger_entries` (written by billing). */
  charged: number;
}

/** Reads the counts of a set of accounts, together, from the stack's private database. */
export interface GenerationCounter {
  count(): Promise<RecordedGenerations>;
  /** Polls until both counts reach `expected` or `timeoutMs` passes; the last counts either way. */
  waitFor(expected: number, timeoutMs: number): Promise<RecordedGenerations>;
  close(): Promise<void>;
}

/**
 * Counts over a set of accounts rather than one, so that a run which spreads its load over many accounts
 * is audited as exactly as a run on one: every 2xx sent with any of their keys is one generation here.
 */
export async function connectGenerationCounter(databaseUrl: string, accountIds: readonly string[]): Promise<GenerationCounter> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "bench-audit" });
  await client.connect();
  const count = async (): Promise<RecordedGenerations> => {
    const result = await client.query<{ recorded: string; charged: string }>(
      `SELECT (SELECT count(*) FROM generations WHERE account_id = ANY($1)) AS recorded,
              (SELECT count(DISTINCT generation_id) FROM ledger_entries WHERE account_id = ANY($1) AND kind = 'charge') AS charged`,
      [accountIds],
    );
    const row = result.rows[0];
    return { recorded: Number(row?.recorded ?? 0), charged: Number(row?.charged ?? 0) };
  };
  return {
    count,
    async waitFor(expected, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const counts = await count();
        if ((counts.recorded >= expected && counts.charged >= expected) || performance.now() > deadline) return counts;
        await sleep(100);
      }
    },
    close: () => client.end(),
  };
}
