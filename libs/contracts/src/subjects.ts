/**
 * Every NATS subject, service name, stream and consumer name Switchboard uses.
 *
 * A namespace prefixes all of them so that several independent Switchboard stacks (parallel test runs,
 * staging beside production) can share one NATS server without answering each other's requests.
 * Wire identifiers carry a version (`v1`) so a later incompatible change gets new subjects.
 */
export interface Subjects {
  readonly namespace: string;
  readonly routerGroup: string;
  readonly routerRoute: string;
  readonly routerListModels: string;
  /** Admin: the effective catalog (seed file plus run-time changes), each entry with its source and disabled flag. */
  readonly routerGetCatalog: string;
  /** Admin: adds or replaces a provider, a model (with its endpoints) or one endpoint at run time. */
  readonly routerPutCatalogEntry: string;
  /** Admin: disables or enables a provider, a model or one endpoint at run time. */
  readonly routerSetCatalogEntryDisabled: string;
  readonly connectorGroup: string;
  readonly connectorGenerate: string;
  /** Every connector replica listens here (no queue group) so the one holding the upstream call sees it. */
  readonly connectorCancelWildcard: string;
  /** Every connector replica listens here (no queue group); the one that ran the attempt answers. */
  readonly connectorAttemptProgress: string;
  /**
   * Connectors report their attempts' outcomes here, aggregated per endpoint (core NATS, no queue group):
   * every router replica hears every report, so all judge health from the same traffic.
   */
  readonly endpointOutcomes: string;
  readonly billingGroup: string;
  readonly billingAuthenticateKey: string;
  readonly billingReserve: string;
  readonly billingCreateAccount: string;
  readonly billingGrantCredits: string;
  readonly billingCreateKey: string;
  readonly billingGetAccount: string;
  /** Admin: change an account's data policy (and announce every key of the account as changed). */
  readonly billingSetAccountDataPolicy: string;
  readonly billingLeaseCredit: string;
  readonly billingReturnLease: string;
  /** Ingress voids the reservation a reserve request may have made when its reply never came. */
  readonly billingVoidReservation: string;
  /** Admin listing: facts billing recorded as settlement anomalies instead of charging them. */
  readonly billingListSettlementAnomalies: string;
  /** Admin listing: the audit of admin operations, newest first. */
  readonly billingListAdminAudit: string;
  /** Key management (OpenRouter's /keys API): list an account's keys, get, update and delete one. */
  readonly billingListKeys: string;
  readonly billingGetKey: string;
  readonly billingUpdateKey: string;
  readonly billingDeleteKey: string;
  /** The calling key's own figures (GET /key) and its account's credits (GET /credits). */
  readonly billingGetCurrentKey: string;
  readonly billingGetCredits: string;
  /** Admin money (issue 10): adjust credits, list accounts, an account's statement, reconcile the ledger. */
  readonly billingAdjustCredits: string;
  readonly billingListAccounts: string;
  readonly billingGetAccountStatement: string;
  readonly billingReconcileLedger: string;
  /** JetStream subject of the `billing-settled` fact, published from billing's outbox after the settlement commits. */
  readonly billingSettled: string;
  /** JetStream stream of the facts billing publishes through its outbox. */
  readonly billingFactsStream: string;
  /** Every ingress replica listens here (no queue group): billing asks holders to close an account's leases. */
  readonly creditRecall: string;
  readonly loggingGroup: string;
  readonly loggingGetGeneration: string;
  /** JetStream subject of the generation-completed fact. */
  readonly generationCompleted: string;
  /** JetStream subject of the connector's usage report of an attempt that produced output (issue 10). */
  readonly connectorUsageReported: string;
  /** Every ingress replica's heartbeat (core NATS); every connector replica listens (no queue group). */
  readonly ingressHeartbeat: string;
  readonly factsStream: string;
  /**
   * NATS KV bucket the router publishes routing snapshots to (only the router writes it); ingress and
   * the provider connector watch it.
   */
  readonly routingBucket: string;
  /** The key of the routing snapshot in `routingBucket`; versioned like every wire identifier. */
  readonly routingSnapshotKey: string;
  /** Billing announces every change to a key here; every ingress replica listens (no queue group). */
  readonly keyChanged: string;
  /** Every ingress replica publishes its rate-limit counts here and hears the others' (core NATS, no queue group). */
  readonly rateLimitCounts: string;
  readonly billingConsumer: string;
  readonly loggingConsumer: string;
  /** Durable consumers of the connector's usage reports, one per reading service. */
  readonly billingUsageReportConsumer: string;
  readonly loggingUsageReportConsumer: string;
  /** JetStream stream holding copies of the facts a consumer could not process (issue 10), kept long. */
  readonly deadLetterStream: string;
  /** Every dead-letter subject: the dead-letter stream's subjects. */
  readonly deadLettersWildcard: string;
  /** Where a durable consumer copies a fact it could not process, e.g. `sb.dead-letters.v1.billing-settlement`. */
  readonly deadLetters: (consumer: string) => string;
  readonly queueGroup: (service: ServiceName) => string;
  readonly connectorCancel: (generationId: string) => string;
}

/** The NATS services framework names of our request/reply services. */
export const serviceNames = {
  router: "router",
  connector: "connector",
  billing: "billing",
  logging: "logging",
} as const;
export type ServiceName = (typeof serviceNames)[keyof typeof serviceNames];

const namespacePattern = /^[A-Za-z0-9_-]+$/;

/** Builds the subject set for one namespace (default `sb`). */
export function createSubjects(namespace = "sb"): Subjects {
  if (!namespacePattern.test(namespace)) {
    throw new Error(`NATS namespace "${namespace}" may only contain letters, digits, "_" and "-"`);
  }
  const routerGroup = `${namespace}.router.v1`;
  const connectorGroup = `${namespace}.connector.v1`;
  const billingGroup = `${namespace}.billing.v1`;
  const loggingGroup = `${namespace}.logging.v1`;
  const streamSuffix = namespace.toUpperCase().replace(/-/g, "_");
  return {
    namespace,
    routerGroup,
    routerRoute: `${routerGroup}.route`,
    routerListModels: `${routerGroup}.models`,
    routerGetCatalog: `${routerGroup}.get-catalog`,
    routerPutCatalogEntry: `${routerGroup}.put-catalog-entry`,
    routerSetCatalogEntryDisabled: `${routerGroup}.set-catalog-entry-disabled`,
    connectorGroup,
    connectorGenerate: `${connectorGroup}.generate`,
    connectorCancelWildcard: `${namespace}.connector-cancel.v1.*`,
    connectorAttemptProgress: `${namespace}.connector-progress.v1`,
    endpointOutcomes: `${namespace}.endpoint-outcomes.v1`,
    billingGroup,
    billingAuthenticateKey: `${billingGroup}.authenticate`,
    billingReserve: `${billingGroup}.reserve`,
    billingCreateAccount: `${billingGroup}.create-account`,
    billingGrantCredits: `${billingGroup}.grant-credits`,
    billingCreateKey: `${billingGroup}.create-key`,
    billingGetAccount: `${billingGroup}.get-account`,
    billingSetAccountDataPolicy: `${billingGroup}.set-account-data-policy`,
    billingLeaseCredit: `${billingGroup}.lease-credit`,
    billingReturnLease: `${billingGroup}.return-lease`,
    billingVoidReservation: `${billingGroup}.void-reservation`,
    billingListSettlementAnomalies: `${billingGroup}.list-settlement-anomalies`,
    billingListAdminAudit: `${billingGroup}.list-admin-audit`,
    billingListKeys: `${billingGroup}.list-keys`,
    billingGetKey: `${billingGroup}.get-key`,
    billingUpdateKey: `${billingGroup}.update-key`,
    billingDeleteKey: `${billingGroup}.delete-key`,
    billingGetCurrentKey: `${billingGroup}.get-current-key`,
    billingGetCredits: `${billingGroup}.get-credits`,
    billingAdjustCredits: `${billingGroup}.adjust-credits`,
    billingListAccounts: `${billingGroup}.list-accounts`,
    billingGetAccountStatement: `${billingGroup}.get-account-statement`,
    billingReconcileLedger: `${billingGroup}.reconcile-ledger`,
    billingSettled: `${namespace}.billing-facts.v1.settled`,
    billingFactsStream: `SWITCHBOARD_BILLING_FACTS_${streamSuffix}`,
    creditRecall: `${namespace}.credit-recall.v1`,
    loggingGroup,
    loggingGetGeneration: `${loggingGroup}.get-generation`,
    generationCompleted: `${namespace}.facts.v1.generation-completed`,
    connectorUsageReported: `${namespace}.facts.v1.connector-usage-reported`,
    ingressHeartbeat: `${namespace}.ingress-heartbeat.v1`,
    factsStream: `SWITCHBOARD_FACTS_${streamSuffix}`,
    routingBucket: `SWITCHBOARD_ROUTING_${streamSuffix}`,
    routingSnapshotKey: "catalog.v1",
    keyChanged: `${namespace}.key-changed.v1`,
    rateLimitCounts: `${namespace}.rate-limit-counts.v1`,
    billingConsumer: "billing-settlement",
    loggingConsumer: "metadata-logging",
    billingUsageReportConsumer: "billing-usage-reports",
    loggingUsageReportConsumer: "metadata-logging-usage-reports",
    deadLetterStream: `SWITCHBOARD_DEAD_LETTERS_${streamSuffix}`,
    deadLettersWildcard: `${namespace}.dead-letters.v1.>`,
    deadLetters: (consumer) => `${namespace}.dead-letters.v1.${consumer}`,
    // The services framework rejects dots in queue names.
    queueGroup: (service) => `${namespace}-${service}`,
    connectorCancel: (generationId) => `${namespace}.connector-cancel.v1.${generationId}`,
  };
}
