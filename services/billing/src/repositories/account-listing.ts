import type { AccountRow } from "@switchboard/db";
import { sql } from "kysely";
import { isUuid, type DatabaseExecutor } from "./database-executor.js";

/** One page of accounts and the cursor of the next, null on the last page. */
export interface AccountPage {
  accounts: AccountRow[];
  nextCursor: string | null;
}

/**
 * A page of accounts, oldest first (then by id, since many accounts can share a creation time), starting
 * after the account `cursor` names. A cursor rather than an offset, so accounts opened meanwhile do not
 * shift the pages; a cursor naming no account gives an empty page.
 */
export async function listAccounts(database: DatabaseExecutor, options: { limit: number; cursor?: string | undefined }): Promise<AccountPage> {
  const { cursor } = options;
  if (cursor !== undefined && !isUuid(cursor)) return { accounts: [], nextCursor: null };
  let query = database.selectFrom("accounts").selectAll().orderBy("created_at").orderBy("id").limit(options.limit + 1);
  if (cursor !== undefined) query = query.where(sql<boolean>`(created_at, id) > (SELECT created_at, id FROM accounts WHERE id = ${cursor})`);
  const rows = await query.execute();
  const accounts = rows.slice(0, options.limit);
  return { accounts, nextCursor: rows.length > options.limit ? (accounts.at(-1)?.id ?? null) : null };
}
