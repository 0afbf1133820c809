import { z } from "zod";
import { accountIdSchema } from "../identifiers.js";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";

// Credit leases (README.md "Money"): billing moves a slice of an account's available credit to one
// ingress replica, which holds each request's upper bound against it locally, off the database.

const leaseIdSchema = z.uuid();
const microsSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * Grants a new lease. Billing grants at most `amountMicros` and only while the account keeps more free
 * credit than all its leases hold; less than `minimumMicros` is not worth having and grants nothing. A
 * lease is never topped up: a holder that needs more (or a later expiry) takes a new one and closes the old.
 */
export const leaseCreditRequestSchema = z.strictObject({
  /**
   * Chosen by the holder, so that it can return a lease whose grant it never heard back about (a timed
   * out request): a return that arrives first closes the id, and the late grant then grants nothing.
   */
  leaseId: leaseIdSchema,
  accountId: accountIdSchema,
  /** Which ingress replica holds the lease: for operators reading the table. */
  holder: singleLineTextSchema(200),
  amountMicros: microsSchema,
  minimumMicros: microsSchema,
});
export type LeaseCreditRequest = z.infer<typeof leaseCreditRequestSchema>;

export const leaseCreditReplySchema = z.object({
  /** Null when nothing was granted: the account is too close to empty. */
  leaseId: leaseIdSchema.nullable(),
  grantedMicros: microsSchema,
  /** Time to expiry from when billing answered; relative, so the holder's clock does not matter. */
  expiresInMs: z.number().int().nonnegative(),
});
export type LeaseCreditReply = z.infer<typeof leaseCreditReplySchema>;

/**
 * Closes a lease: it takes no more generations and gives back all but `expectedConsumptionMicros`, the
 * holder's count of what the lease's generations consume in all (the costs of those that ended and the
 * holds of those still running). The rest comes back as their facts settle, or at the lease's expiry.
 */
export const returnLeaseRequestSchema = z.strictObject({
  leaseId: leaseIdSchema,
  accountId: accountIdSchema,
  expectedConsumptionMicros: microsSchema,
});
export type ReturnLeaseRequest = z.infer<typeof returnLeaseRequestSchema>;

export const returnLeaseReplySchema = z.object({ returnedMicros: microsSchema });
export type ReturnLeaseReply = z.infer<typeof returnLeaseReplySchema>;

/**
 * Billing asks every ingress to close its lease on an account: a synchronous reservation fell short
 * while leases held credit that the balance could give it.
 */
export const creditRecallSchema = z.object({ accountId: accountIdSchema });
export type CreditRecall = z.infer<typeof creditRecallSchema>;

/** What a generation held against a lease, reported in its completion fact. */
export const leaseHoldSchema = z.object({
  leaseId: leaseIdSchema,
  holdMicros: microsSchema,
  /** What the generation takes from the lease: its cost, or its whole hold once the lease was closed. */
  consumedMicros: microsSchema,
});
export type LeaseHold = z.infer<typeof leaseHoldSchema>;
