import type { ColumnType, Generated, Selectable } from "kysely";

/** Written only by billing. Amounts are micro-dollars; balance = Σ ledger entries of the account. */
export interface AccountsTable {
  id: Generated<string>;
  name: string;
  balance_micros: Generated<number>;
  /** Sum of pending reservations. */
  reserved_micros: Generated<number>;
  /** Credit the account's leases still hold (granted − returned − consumed); available is balance − reserved − leased. */
  leased_micros: Generated<number>;
  /** `deny`: no request of the account reaches a provider that may train on the data. */
  data_collection: Generated<"allow" | "deny">;
  /** True: requests of the account reach only zero-data-retention endpoints. */
  zdr: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
}
export type AccountRow = Selectable<AccountsTable>;

export const keyLimitResets = { daily: "daily", weekly: "weekly", monthly: "monthly" } as const;
export type KeyLimitReset = (typeof keyLimitResets)[keyof typeof keyLimitResets];

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
  /** Set by DELETE /api/v1/keys/{hash}: the row stays for history, the key authenticates like an unknown one. */
  deleted_at: ColumnType<Date | null, never, Date>;
  /** A management key manages its account's keys (`/api/v1/keys`) and cannot call models. */
  management: Generated<boolean>;
  /** The most the key's generations may spend, in micro-dollars (per period when `limit_reset` is set); null: no limit. */
  limit_micros: Generated<number | null>;
  /** When the limit starts over: each UTC day, week (Monday) or month; null: never (the limit is on all usage). */
  limit_reset: Generated<KeyLimitReset | null>;
  /** The key's rate limit, both set or both null (null: the ingress default applies). */
  rate_limit_requests: Generated<number | null>;
  rate_limit_interval_seconds: Generated<number | null>;
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
  /** Set when the generation was held by an ingress against this lease rather than reserved here. */
  lease_id: Generated<string | null>;
  /** What the generation took from its lease: its cost, plus its unused hold once the lease was closed. */
  lease_consumed_micros: Generated<number | null>;
}
export type ReservationRow = Selectable<ReservationsTable>;

export const creditLeaseStatuses = { active: "active", closed: "closed", expired: "expired" } as const;
export type CreditLeaseStatus = (typeof creditLeaseStatuses)[keyof typeof creditLeaseStatuses];

/**
 * A slice of an account's credit moved to one ingress replica. It holds granted − returned − consumed
 * (`consumed_micros` = Σ reservations.lease_consumed_micros); `closed` takes no new generations, `expired` holds nothing.
 */
export interface CreditLeasesTable {
  id: Generated<string>;
  account_id: string;
  holder: string;
  granted_micros: number;
  returned_micros: Generated<number>;
  /** Σ reservations.lease_consumed_micros of the lease, kept by settlement in the same transaction. */
  consumed_micros: Generated<number>;
  status: CreditLeaseStatus;
  created_at: ColumnType<Date, never, never>;
  updated_at: Generated<Date>;
  expires_at: Date;
}
export type CreditLeaseRow = Selectable<CreditLeasesTable>;

export const ledgerEntryKinds = { grant: "grant", adjustment: "adjustment", charge: "charge" } as const;
export type LedgerEntryKind = (typeof ledgerEntryKinds)[keyof typeof ledgerEntryKinds];

/** The system side of the ledger: where grants and adjustments come from, where charges go. */
export const systemLedgerAccounts = { funding: "funding", revenue: "revenue" } as const;
export type SystemLedgerAccount = (typeof systemLedgerAccounts)[keyof typeof systemLedgerAccounts];

/**
 * One money movement (append-only): its postings in `ledger_entries` sum to zero. A charge names its
 * generation (at most one charge per generation); a grant or adjustment may say why, an adjustment must.
 */
export interface LedgerTransactionsTable {
  /** bigserial, read as a number like every int8 (create-database.ts). */
  id: Generated<number>;
  kind: LedgerEntryKind;
  reason: string | null;
  generation_id: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
export type LedgerTransactionRow = Selectable<LedgerTransactionsTable>;

/**
 * A posting (append-only) of a ledger transaction, on a customer account (`account_id`) or a system ledger
 * account (`ledger_account`), never both: Σ postings of an account is its balance. Customer postings of a
 * charge carry the generation id (system postings do not, their transaction does).
 */
export interface LedgerEntriesTable {
  id: Generated<string>;
  transaction_id: number;
  account_id: string | null;
  ledger_account: SystemLedgerAccount | null;
  kind: LedgerEntryKind;
  amount_micros: number;
  generation_id: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
