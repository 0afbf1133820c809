import type { ColumnType, Generated, Selectable } from "kysely";

/**
 * Written only by billing, in the transaction of the admin operation it records; append-only. The actions
 * are `adminActions` in @switchboard/contracts; the table's CHECK constraint lists the same.
 */
export interface AdminAuditTable {
  /** bigserial, read as a number like every int8 (create-database.ts). */
  id: Generated<number>;
  action: string;
  actor: string;
  client_address: string | null;
  account_id: string | null;
  key_id: string | null;
  amount_micros: number | null;
  /** jsonb: the account data policy a `set-account-policy` set (written as JSON text); null for other actions. */
  data_policy: ColumnType<{ data_collection: "allow" | "deny"; zdr: boolean } | null, string | null, never>;
  request_id: string | null;
  created_at: ColumnType<Date, never, never>;
}
export type AdminAuditRow = Selectable<AdminAuditTable>;
