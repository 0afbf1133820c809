import { z } from "zod";
import { accountIdSchema, keyIdSchema } from "../identifiers.js";
import { endpointPriceSchema } from "../pricing/endpoint-price.js";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";

/**
 * Who asked for a generation and what holds its credit, sent with every generate request (issue 10). The
 * connector decides nothing with it: it watches the named ingress replica's heartbeat (an attempt whose
 * ingress went silent is stopped) and copies the rest into its usage report, so billing can charge the
 * generation, and metadata-logging record it, when that ingress died before publishing its own fact.
 */
// Not strict: a field a newer ingress adds is dropped by an older connector or billing rather than
// refused, so replicas can be upgraded one service at a time (a refused report would be dead-lettered).
export const generationOriginSchema = z.object({
  /** The ingress replica running the generation, as it names itself in its heartbeats. */
  ingressId: singleLineTextSchema(200),
  accountId: accountIdSchema,
  keyId: keyIdSchema,
  /** The attempt's number within the generation, from 0: one generation may try several endpoints. */
  attempt: z.number().int().nonnegative().max(1_000),
  /**
   * The attempt's endpoint price as ingress priced its hold (its routing snapshot at reservation). The
   * connector's report charges at this price, not its own snapshot's: after a catalog price change the
   * two differ, and only this one is covered by the hold and the key's limit.
   */
  price: endpointPriceSchema.optional(),
  /**
   * The generation's number among this ingress replica's (all its attempts share it): the replica's
   * heartbeat names the numbers whose completion fact is stored, and the connector then drops its usage
   * report instead of publishing it (`StoredFacts`). Absent: the report is always published.
   */
  factSequence: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  /** Set when the credit is held against the ingress replica's lease rather than reserved by billing. */
  lease: z
    .object({
      leaseId: z.uuid(),
      holdMicros: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    })
    .optional(),
});
export type GenerationOrigin = z.infer<typeof generationOriginSchema>;
