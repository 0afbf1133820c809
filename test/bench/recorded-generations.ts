import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

/** What PostgreSQL holds for one account: generations recorded by metadata-logging and charged by billing. */
export interface RecordedGenerations {
  /** Rows in `generations` (written by metadata-logging). */
  recorded: number;
  /** Distinct generations with a `charge` in `ledger_entries` (written by billing). */
  charged: number;
}

/** Reads the counts of one account from the stack's private database. */
export interface GenerationCounter {
  count(): Promise<RecordedGenerations>;
  /** Polls until both counts reach `expected` or `timeoutMs` passes; the last counts either way. */
  waitFor(expected: number, timeoutMs: number): Promise<RecordedGenerations>;
  close(): Promise<void>;
}

export async function connectGenerationCounter(databaseUrl: string, accountId: string): Promise<GenerationCounter> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "bench-audit" });
  await client.connect();
  const count = async (): Promise<RecordedGenerations> => {
    const result = await client.query<{ recorded: string; charged: string }>(
      `SELECT (SELECT count(*) FROM generations WHERE account_id = $1) AS recorded,
              (SELECT count(DISTINCT generation_id) FROM ledger_entries WHERE account_id = $1 AND kind = 'charge') AS charged`,
      [accountId],
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
