import { z } from "zod";

/**
 * Published by billing (through its outbox, after the commit) for each generation whose reservation a
 * settlement resolved: what it cost and what was charged. The JetStream message id is the outbox row's
 * id, so a republished fact is dropped within the duplicate window, and consumers can dedupe by it after.
 */
export const billingSettledSchema = z.object({
  generationId: z.string(),
  accountId: z.string(),
  /** computeCostMicros of the generation's usage. */
  costMicros: z.number().int().nonnegative(),
  /** What this settlement charged: the cost, or 0 when nothing was charged (a void, or a zero cost). */
  chargedMicros: z.number().int().nonnegative(),
  /** The charge's ledger transaction; null when nothing was charged. */
  ledgerTransactionId: z.number().int().nullable(),
  settledAt: z.string(),
});
export type BillingSettled = z.infer<typeof billingSettledSchema>;
