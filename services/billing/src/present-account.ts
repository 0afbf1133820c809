import { formatMicrosAsUsd, type Account } from "@switchboard/contracts";
import type { AccountRow } from "@switchboard/db";

/** An account as the admin API and CLI show it. */
export function presentAccount(row: AccountRow): Account {
  return {
    id: row.id,
    name: row.name,
    balance_micros: row.balance_micros,
    reserved_micros: row.reserved_micros,
    leased_micros: row.leased_micros,
    available_usd: formatMicrosAsUsd(row.balance_micros - row.reserved_micros - row.leased_micros),
    balance_usd: formatMicrosAsUsd(row.balance_micros),
    data_collection: row.data_collection,
    zdr: row.zdr,
    created_at: row.created_at.toISOString(),
  };
}
