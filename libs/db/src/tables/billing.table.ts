import type { ColumnType, Generated, Selectable } from "kysely";

/** Written only by billing. Amounts are micro-dollars; balance = Σ ledger entries of the account. */
export interface AccountsTable {
  id: Generated<string>;
  name: string;
  balance_micros: Generated<number>;
  /** Sum of pending reservations; available credit is balance − reserved. */
  reserved_micros: Generated<number>;
  created_at: ColumnType<Date, never, never>;
}
export type AccountRow = Selectable<AccountsTable>;

export interface ApiKeysTable {
  id: Generated<string>;
  account_id: string;
  name: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  key_hash: string;
  label: string;
  disabled: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date | null, never, Date>;
}
export type ApiKeyRow = Selectable<ApiKeysTable>;

export const reservationStatuses = { pending: "pending", settled: "settled", voided: "voided", expired: "expired" } as const;
export type ReservationStatus = (typeof reservationStatuses)[keyof typeof reservationStatuses];

export interface ReservationsTable {
  generation_id: string;
  account_id: string;
  key_id: string;
  amount_micros: number;
  status: ReservationStatus;
  charged_micros: number | null;
  created_at: ColumnType<Date, never, never>;
  resolved_at: Date | null;
  expires_at: Date;
}
export type ReservationRow = Selectable<ReservationsTable>;

export const ledgerEntryKinds = { grant: "grant", charge: "charge" } as const;
export type LedgerEntryKind = (typeof ledgerEntryKinds)[keyof typeof ledgerEntryKinds];

/** Append-only: credits granted (positive) and generations charged (negative). */
export interface LedgerEntriesTable {
  id: Generated<string>;
  account_id: string;
  kind: LedgerEntryKind;
  amount_micros: number;
  generation_id: string | null;
  created_at: ColumnType<Date, never, never>;
}
