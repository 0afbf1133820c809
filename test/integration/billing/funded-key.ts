import type { Database } from "@switchboard/db";
import type { Kysely } from "kysely";
import { createAccount, grantCredits } from "../../../services/billing/src/repositories/accounts.js";
import { createApiKey } from "../../../services/billing/src/repositories/api-keys.js";

/** An account holding `balanceMicros` (granted through the ledger) with one API key. */
export async function createFundedKey(database: Kysely<Database>, balanceMicros: number, name = "funded"): Promise<{ accountId: string; keyId: string }> {
  const account = await createAccount(database, name);
  if (balanceMicros > 0) await grantCredits(database, account.id, balanceMicros);
  const key = await createApiKey(database, account.id, `${name} key`);
  if (!key) throw new Error("account vanished");
  return { accountId: account.id, keyId: key.record.id };
}
