import { z } from "zod";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";

/** At most this many outstanding generations are listed in one heartbeat; `StoredFacts` says how the rest are treated. */
export const maximumOutstandingFactsListed = 20_000;

/**
 * Which of an ingress replica's generations have their completion fact stored (JetStream acknowledged
 * it), by the `factSequence` their generate requests carried: every sequence up to `issuedThrough` except
 * those in `outstanding`. A connector drops its held usage report of such a generation, since billing and
 * metadata-logging have the fact; it publishes the others once the replica goes silent (issue 10).
 * `outstanding` lists the lowest outstanding sequences in ascending order; when there are more than
 * `maximumOutstandingFactsListed`, `issuedThrough` is the last one listed, so nothing above is vouched for.
 */
export const storedFactsSchema = z.strictObject({
  issuedThrough: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER),
  outstanding: z.array(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)).max(maximumOutstandingFactsListed),
});
export type StoredFacts = z.infer<typeof storedFactsSchema>;

/**
 * An ingress replica's sign of life (core NATS, about once a second, never per request): connectors stop
 * the upstream calls of a replica that has been silent for a few seconds (INGRESS_SILENCE_MS), since
 * nobody is left to relay their answer. What was produced is still charged, from the connector's usage
 * report. `facts` tells which generations no longer need that report (absent from older replicas: every
 * report is then published).
 */
export const ingressHeartbeatSchema = z.object({ ingressId: singleLineTextSchema(200), facts: storedFactsSchema.optional() });
export type IngressHeartbeat = z.infer<typeof ingressHeartbeatSchema>;

/** How often an ingress replica says it is alive; connectors allow several missed beats before giving up on it. */
export const ingressHeartbeatIntervalMs = 1_000;
