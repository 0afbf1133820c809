import type { Subjects } from "@switchboard/contracts";
import { busIdentities, inboxPrefixFor, type BusIdentity } from "./bus-identities.js";
import { jetStreamPermissionSubjects as jetStream } from "./jetstream-permission-subjects.js";

/** Subjects one direction (publish or subscribe) allows; anything not allowed is refused by the server. */
export interface SubjectPermission {
  readonly allow: readonly string[];
  /** Refused even where `allow` would match: spelled out where an allowed wildcard is broader than the role. */
  readonly deny: readonly string[];
}

/** What one identity may do on the bus: a NATS user's `permissions` block. */
export interface BusPermissions {
  readonly publish: SubjectPermission;
  readonly subscribe: SubjectPermission;
  /**
   * May answer the requests it receives (once each, to whatever reply subject the asker chose) without
   * being allowed to publish there otherwise: NATS `allow_responses`. True for every request/reply service.
   */
  readonly allowResponses: boolean;
}

/**
 * The least-privilege permissions of every bus identity in one namespace, derived from its subjects so
 * that they cannot drift apart. Who may do what (README, "Bus security"):
 * - only ingress calls billing (keys, accounts, credit, reservations, leases), the connector, the logging
 *   lookup and the router's model listing, and only ingress publishes the generation-completed fact;
 * - only the connector serves the connector subjects, and it may publish stream parts only to ingress's
 *   inboxes (a generation's reply subject is a subject under ingress's inbox prefix, answered many times);
 * - only the router writes the routing KV bucket; ingress and the connector may only watch it;
 * - only the connector reports endpoint outcomes, and only the router hears them;
 * - only ingress publishes its heartbeat, and only the connector hears it; only the connector publishes
 *   its usage reports to the facts stream (issue 10);
 * - only ingress replicas exchange rate-limit counts, among themselves;
 * - billing and metadata-logging read the facts stream through their own durable consumer only, and copy
 *   the facts they cannot process to their own dead-letter subject; only the admin CLI reads dead letters;
 * - only the admin identity (the operator's) asks the services' `$SRV.PING/INFO/STATS`;
 * - every identity subscribes only under its own inbox prefix.
 */
export function createBusPermissions(subjects: Subjects): Readonly<Record<BusIdentity, BusPermissions>> {
  const inbox = (identity: BusIdentity) => `${inboxPrefixFor(subjects.namespace, identity)}.>`;
  const routingStream = `KV_${subjects.routingBucket}`;
  const routingBucketWrites = `$KV.${subjects.routingBucket}.>`;
  // Readers waiting for the router to create the bucket learn it from this advisory (RoutingSnapshotWatch).
  const routingBucketCreated = jetStream.streamCreatedAdvisory(routingStream);
  // `$SRV.PING/INFO/STATS` of the services framework, answered through allow_responses.
  const serviceDiscovery = "$SRV.>";
  // Asking them: all services (`$SRV.PING`), one service by name, or one instance by name and id.
  const serviceDiscoveryRequests = ["PING", "INFO", "STATS"].flatMap((verb) => [`$SRV.${verb}`, `$SRV.${verb}.>`]);
  // A request/reply service owns its endpoint group: it serves every endpoint in it, and its callers may
  // call all of them (billing's are all ingress's to call), so an endpoint added later needs no new rule.
  const billingEndpoints = `${subjects.billingGroup}.>`;
  const loggingEndpoints = `${subjects.loggingGroup}.>`;
  const routerEndpoints = `${subjects.routerGroup}.>`;
  const connectorEndpoints = `${subjects.connectorGroup}.>`;
  const factsStreamManagement = [jetStream.accountInfo, ...jetStream.manageStream(subjects.factsStream)];
  const deadLetterStreamManagement = jetStream.manageStream(subjects.deadLetterStream);

  return Object.freeze({
    [busIdentities.ingress]: {
      publish: {
        allow: [
          billingEndpoints,
          subjects.routerListModels,
          // The admin catalog API (issue 9): ingress checks the admin key, the router validates and applies.
          subjects.routerGetCatalog,
          subjects.routerPutCatalogEntry,
          subjects.routerSetCatalogEntryDisabled,
          subjects.connectorGenerate,
          subjects.connectorCancelWildcard,
          subjects.connectorAttemptProgress,
          loggingEndpoints,
          subjects.generationCompleted,
          subjects.ingressHeartbeat,
          subjects.rateLimitCounts,
          ...factsStreamManagement,
          ...jetStream.watchStream(routingStream),
        ],
        deny: [routingBucketWrites],
      },
      subscribe: { allow: [inbox(busIdentities.ingress), subjects.creditRecall, subjects.keyChanged, subjects.rateLimitCounts, routingBucketCreated], deny: [] },
      allowResponses: false,
    },
    [busIdentities.router]: {
      // The router watches its own bucket too: replicas learn each other's snapshots (compare-and-set, issue 9);
      // and reads it when it starts, to take up the health published before (a restart keeps ejections).
      publish: {
        allow: [routingBucketWrites, jetStream.accountInfo, ...jetStream.manageStream(routingStream), ...jetStream.watchStream(routingStream), ...jetStream.readLastMessage(routingStream)],
        deny: [],
      },
      subscribe: { allow: [inbox(busIdentities.router), serviceDiscovery, routerEndpoints, subjects.endpointOutcomes, routingBucketCreated], deny: [] },
      allowResponses: true,
    },
    [busIdentities.providerConnector]: {
      publish: {
        allow: [
          inbox(busIdentities.ingress),
          subjects.endpointOutcomes,
          // Its usage reports go into the facts stream, which billing and ingress create.
          subjects.connectorUsageReported,
          jetStream.accountInfo,
          ...jetStream.watchStream(routingStream),
        ],
        deny: [routingBucketWrites],
      },
      subscribe: {
        allow: [
          inbox(busIdentities.providerConnector),
          serviceDiscovery,
          connectorEndpoints,
          subjects.connectorCancelWildcard,
          subjects.connectorAttemptProgress,
          subjects.ingressHeartbeat,
          routingBucketCreated,
        ],
        deny: [],
      },
      allowResponses: true,
    },
    [busIdentities.billing]: {
      publish: {
        allow: [
          subjects.keyChanged,
          subjects.creditRecall,
          ...factsStreamManagement,
          ...jetStream.pullDurableConsumer(subjects.factsStream, subjects.billingConsumer),
          subjects.deadLetters(subjects.billingConsumer),
          ...jetStream.pullDurableConsumer(subjects.factsStream, subjects.billingUsageReportConsumer),
          subjects.deadLetters(subjects.billingUsageReportConsumer),
          ...deadLetterStreamManagement,
          // The facts billing's outbox relay publishes after a commit (billing-settled).
          subjects.billingSettled,
          ...jetStream.manageStream(subjects.billingFactsStream),
        ],
        deny: [],
      },
      subscribe: {
        allow: [
          inbox(busIdentities.billing),
          serviceDiscovery,
          billingEndpoints,
        ],
        deny: [],
      },
      allowResponses: true,
    },
    [busIdentities.metadataLogging]: {
      publish: {
        allow: [
          ...factsStreamManagement,
          ...jetStream.pullDurableConsumer(subjects.factsStream, subjects.loggingConsumer),
          subjects.deadLetters(subjects.loggingConsumer),
          ...jetStream.pullDurableConsumer(subjects.factsStream, subjects.loggingUsageReportConsumer),
          subjects.deadLetters(subjects.loggingUsageReportConsumer),
          ...deadLetterStreamManagement,
        ],
        deny: [],
      },
      subscribe: { allow: [inbox(busIdentities.metadataLogging), serviceDiscovery, loggingEndpoints], deny: [] },
      allowResponses: true,
    },
    [busIdentities.admin]: {
      // The admin CLI writes PostgreSQL directly; on the bus it announces the key changes it made, reads
      // the dead letters (list-dead-letters), and is the operator's identity for asking every service
      // its `$SRV.PING/INFO/STATS` (`nats micro ls/info/stats` with its seed), the answers to its inbox.
      publish: { allow: [subjects.keyChanged, jetStream.accountInfo, ...jetStream.readStream(subjects.deadLetterStream), ...serviceDiscoveryRequests], deny: [] },
      subscribe: { allow: [inbox(busIdentities.admin)], deny: [] },
      allowResponses: false,
    },
  });
}
