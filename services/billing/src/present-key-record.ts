import { microsToUsdNumber, type KeyRecord } from "@switchboard/contracts";
import type { ApiKeyRow } from "@switchboard/db";

/** A key as OpenRouter's key-management API shows it: hash and masked label, never the secret. */
export function presentKeyRecord(row: ApiKeyRow, usageMicros: number): KeyRecord {
  return {
    hash: row.key_hash,
    name: row.name,
    label: row.label,
    account_id: row.account_id,
    disabled: row.disabled,
    limit: null,
    usage: microsToUsdNumber(usageMicros),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at ? row.updated_at.toISOString() : null,
  };
}
