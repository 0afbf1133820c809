import type { ColumnType, Selectable } from "kysely";

/**
 * Written only by billing: completion facts it held nothing for, recorded instead of charged (one row per
 * generation id, so a redelivery records nothing new; for `conflicting-usage`, one per generation id and
 * claimed cost). The reasons are `settlementAnomalyReasons` in
 * @switchboard/contracts; the table's CHECK constraint lists the same.
 */
export interface SettlementAnomaliesTable {
  generation_id: string;
  /** As the fact named it, which need not be an existing account (or a UUID). */
  account_id: string;
  key_id: string;
  lease_id: string | null;
  /** What the fact would have charged: computeCostMicros(usage, price). */
  claimed_micros: number;
  reason: string;
  recorded_at: ColumnType<Date, Date | undefined, never>;
}
export type SettlementAnomalyRow = Selectable<SettlementAnomaliesTable>;
