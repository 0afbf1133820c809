import { z } from "zod";
import { singleLineTextSchema } from "../text/single-line-text-schema.js";

/**
 * An ingress replica's sign of life (core NATS, about once a second, never per request): connectors stop
 * the upstream calls of a replica that has been silent for a few seconds (INGRESS_SILENCE_MS), since
 * nobody is left to relay their answer. What was produced is still charged, from the connector's usage report.
 */
export const ingressHeartbeatSchema = z.object({ ingressId: singleLineTextSchema(200) });
export type IngressHeartbeat = z.infer<typeof ingressHeartbeatSchema>;

/** How often an ingress replica says it is alive; connectors allow several missed beats before giving up on it. */
export const ingressHeartbeatIntervalMs = 1_000;
