import { z } from "zod";
import { accountIdSchema } from "../identifiers.js";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";
import { adminCallerSchema } from "./admin-audit.js";
import { adminListingMaximumLimit } from "./admin-listing-request.js";
import { accountSchema } from "./billing.js";

/** Why an admin moved money; stored on the ledger transaction, so one line of at most 500 characters. */
export const ledgerReasonSchema = z.string().trim().pipe(singleLineTextSchema(500));

/**
 * Corrects an account's credit by a signed amount, with a required reason: one `adjustment` ledger
 * transaction against `funding`, never a balance edit. A negative one may not exceed the available credit.
 */
export const adjustCreditsRequestSchema = z.object({
  accountId: accountIdSchema,
  amountMicros: z.number().int().refine((amount) => amount !== 0, "must not be zero"),
  reason: ledgerReasonSchema,
  caller: adminCallerSchema,
});
export type AdjustCreditsRequest = z.infer<typeof adjustCreditsRequestSchema>;

/** A page of accounts, oldest first; `cursor` is the `next_cursor` of the previous page. */
export const listAccountsRequestSchema = z.strictObject({
  limit: z.number().int().min(1).max(adminListingMaximumLimit),
  cursor: accountIdSchema.optional(),
});
export type ListAccountsRequest = z.infer<typeof listAccountsRequestSchema>;

export const listAccountsReplySchema = z.object({ data: z.array(accountSchema), next_cursor: z.string().nullable() });
export type ListAccountsReply = z.infer<typeof listAccountsReplySchema>;

/** A page of an account's statement, newest first; `before` is the `next_before` of the previous page. */
export const accountStatementRequestSchema = z.strictObject({
  accountId: accountIdSchema,
  limit: z.number().int().min(1).max(adminListingMaximumLimit),
  before: z.number().int().positive().optional(),
});
export type AccountStatementRequest = z.infer<typeof accountStatementRequestSchema>;

/** One posting on the account, with the balance right after it. */
export const statementEntrySchema = z.object({
  id: z.number().int(),
  transaction_id: z.number().int(),
  kind: z.enum(["grant", "adjustment", "charge"]),
  amount_micros: z.number().int(),
  running_balance_micros: z.number().int(),
  reason: z.string().nullable(),
  generation_id: z.string().nullable(),
  created_at: z.string(),
});
export type StatementEntry = z.infer<typeof statementEntrySchema>;

export const accountStatementReplySchema = z.object({
  data: z.array(statementEntrySchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  next_before: z.number().int().nullable(),
});
export type AccountStatementReply = z.infer<typeof accountStatementReplySchema>;

export const reconcileLedgerRequestSchema = z.strictObject({});

/** What reconciliation found: `balanced` is true when every list of drift is empty and the total is zero. */
export const ledgerReconciliationSchema = z.object({
  balanced: z.boolean(),
  accounts_checked: z.number().int(),
  /** Customer accounts whose cached balance differs from Σ their postings. */
  account_drifts: z.array(z.object({ account_id: z.string(), balance_micros: z.number().int(), ledger_micros: z.number().int(), drift_micros: z.number().int() })),
  /** Ledger transactions whose postings do not sum to zero (or that have fewer than two). */
  unbalanced_transactions: z.array(z.object({ transaction_id: z.number().int(), total_micros: z.number().int(), postings: z.number().int() })),
  /** Σ every posting of the ledger: zero when balanced. */
  ledger_total_micros: z.number().int(),
  /** Credit leases whose running total of consumption differs from Σ what their generations consumed. */
  lease_drifts: z.array(z.object({ lease_id: z.string(), consumed_micros: z.number().int(), generations_micros: z.number().int() })),
});
export type LedgerReconciliation = z.infer<typeof ledgerReconciliationSchema>;
export const reconcileLedgerReplySchema = z.object({ data: ledgerReconciliationSchema });
export type ReconcileLedgerReply = z.infer<typeof reconcileLedgerReplySchema>;
