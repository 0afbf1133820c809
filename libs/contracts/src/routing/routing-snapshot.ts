import { z } from "zod";
import { routeCandidateSchema } from "../messages/route.js";
import { endpointHealthSchema } from "./endpoint-health.js";

/** A catalog model with the endpoints that can serve it (their provider is configured in the router). */
export const routingModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  contextLength: z.number().int().positive(),
  inputModalities: z.array(z.string()),
  outputModalities: z.array(z.string()),
  /** Usable endpoints, in catalog order; routing orders them per request. */
  endpoints: z.array(routeCandidateSchema),
  /** Providers listed for the model but not usable, with the variable that would enable each. */
  unconfiguredProviders: z.array(z.object({ providerId: z.string(), apiKeyEnv: z.string() })),
});
export type RoutingModel = z.infer<typeof routingModelSchema>;

/**
 * The router's routing state as it publishes it to the routing KV bucket (`Subjects.routingBucket`, key
 * `Subjects.routingSnapshotKey`): every model with its endpoints, prices and data policies. Ingress ranks
 * candidates from it in process and the provider connector resolves an endpoint id to its base URL, key
 * variable and upstream model from it. It names key variables, never their values: anyone who can read
 * the bucket learns no secret. The KV entry's revision is the snapshot's revision (the server assigns it,
 * increasing with every publication); `publishedAt` lets readers tell its age.
 *
 * Version 2 adds `health` (issue 9); readers accept both, so upgrade them before the router. The router
 * republishes the snapshot when an endpoint's health status changes, and with fresh figures at most every
 * few seconds otherwise.
 */
export const routingSnapshotSchema = z.object({
  /** The shape of this document: 1 without health, 2 with it; a later incompatible shape gets a new key (`catalog.v2`). */
  version: z.union([z.literal(1), z.literal(2)]),
  /** When the router loaded the catalog file (listings use it as `created`). */
  loadedAt: z.iso.datetime(),
  /** When the router published this snapshot. */
  publishedAt: z.iso.datetime(),
  models: z.array(routingModelSchema),
  /** The router's judgement of each endpoint it has outcome reports for, by endpoint id; an endpoint absent is healthy, unmeasured. */
  health: z.record(z.string(), endpointHealthSchema).optional(),
  /**
   * The newest run-time catalog change this snapshot's models include (0: none). A router replica that
   * sees a higher one reloads the catalog before it writes again, and one that sees a lower one republishes
   * its newer catalog, so replicas never put back models an admin change replaced.
   */
  catalogRevision: z.number().int().nonnegative().optional(),
  /**
   * A digest of the catalog file (the seed) the router loaded. The revision counts run-time changes only:
   * replicas with equal revisions but different files (a rolling deploy of a new file) publish different
   * catalogs in turn, so a replica that sees another digest at its own revision warns.
   */
  seedDigest: z.string().optional(),
});
export type RoutingSnapshot = z.infer<typeof routingSnapshotSchema>;
