import { z } from "zod";

/**
 * Why billing recorded a completion fact as an anomaly instead of charging it (README.md "Money"). Billing
 * charges only what it reserved or leased for the generation, once; anything else is one of these.
 */
export const settlementAnomalyReasons = {
  /** The fact names no lease, and billing has no reservation for its generation id. */
  noHold: "no-hold",
  /** The fact names a lease that does not exist. */
  leaseNotFound: "lease-not-found",
  /** The reservation or the lease belongs to another account than the fact names. */
  accountMismatch: "account-mismatch",
  /** The fact's key is not the reservation's key, or not a key of the lease's account. */
  keyMismatch: "key-mismatch",
  /** The fact would take more from its lease than the lease has left for its generations (granted − returned − consumed). */
  exceedsLease: "exceeds-lease",
  /** A connector's usage report names a lease that the ingress replica it names does not hold. */
  leaseHolderMismatch: "lease-holder-mismatch",
  /**
   * The generation was already settled, and this fact of the same generation id claims another cost (other
   * usage or price): nothing changes, the first settlement stands. Recorded once per differing cost.
   */
  conflictingUsage: "conflicting-usage",
} as const;
export type SettlementAnomalyReason = (typeof settlementAnomalyReasons)[keyof typeof settlementAnomalyReasons];

/** One fact billing recorded and did not charge, as the admin listing shows it. Ids and amounts only. */
export const settlementAnomalySchema = z.object({
  generation_id: z.string(),
  /** As the fact named it: it need not be an existing account. */
  account_id: z.string(),
  key_id: z.string(),
  lease_id: z.string().nullable(),
  /** What the fact would have charged, in micro-dollars. */
  claimed_micros: z.number().int().nonnegative(),
  reason: z.enum(settlementAnomalyReasons),
  recorded_at: z.string(),
});
export type SettlementAnomaly = z.infer<typeof settlementAnomalySchema>;

export const listSettlementAnomaliesReplySchema = z.object({ data: z.array(settlementAnomalySchema) });
export type ListSettlementAnomaliesReply = z.infer<typeof listSettlementAnomaliesReplySchema>;
