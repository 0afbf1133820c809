import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { serviceNames, type Subjects } from "@switchboard/contracts";
import { isDatabaseUnavailable, type Database } from "@switchboard/db";
import { DeadLetterCounter, ensureDeadLetterStream, ensureFactsStream, serveEndpoints } from "@switchboard/messaging";
import { ledgerMetrics, type Logger } from "@switchboard/telemetry";
import type { Kysely } from "kysely";
import { startExpirySweeper } from "./expiry-sweeper.js";
import { LeaseRecaller } from "./lease-recaller.js";
import { adjustCreditsEndpoint } from "./handlers/adjust-credits.js";
import { authenticateKeyEndpoint } from "./handlers/authenticate-key.js";
import { createAccountEndpoint } from "./handlers/create-account.js";
import { createKeyEndpoint } from "./handlers/create-key.js";
import { deleteKeyEndpoint } from "./handlers/delete-key.js";
import { getAccountEndpoint } from "./handlers/get-account.js";
import { getAccountStatementEndpoint } from "./handlers/get-account-statement.js";
import { getCreditsEndpoint } from "./handlers/get-credits.js";
import { getCurrentKeyEndpoint } from "./handlers/get-current-key.js";
import { getKeyEndpoint } from "./handlers/get-key.js";
import { grantCreditsEndpoint } from "./handlers/grant-credits.js";
import { listAccountsEndpoint } from "./handlers/list-accounts.js";
import { listAdminAuditEndpoint } from "./handlers/list-admin-audit.js";
import { listKeysEndpoint } from "./handlers/list-keys.js";
import { listSettlementAnomaliesEndpoint } from "./handlers/list-settlement-anomalies.js";
import { leaseCreditEndpoint } from "./handlers/lease-credit.js";
import { reconcileLedgerEndpoint } from "./handlers/reconcile-ledger.js";
import { reserveCreditsEndpoint } from "./handlers/reserve-credits.js";
import { voidReservationEndpoint } from "./handlers/void-reservation.js";
import { returnLeaseEndpoint } from "./handlers/return-lease.js";
import { setAccountDataPolicyEndpoint } from "./handlers/set-account-data-policy.js";
import { startSettlementConsumer } from "./handlers/settle-generation.js";
import { startUsageReportConsumer } from "./handlers/store-usage-reports.js";
import { startUsageReportSettler } from "./usage-report-settler.js";
import { updateKeyEndpoint } from "./handlers/update-key.js";
import { natsKeyChangePublisher } from "./key-changes/nats-key-change-publisher.js";
import { ensureBillingFactsStream } from "./outbox/ensure-billing-facts-stream.js";
import { startOutboxRelay } from "./outbox/outbox-relay.js";
import { countOpenReservations } from "./repositories/reservations.js";
import { SettlementAnomalyCounter } from "./settlement-anomaly-counter.js";

export interface StartBillingOptions {
  connection: NatsConnection;
  database: Kysely<Database>;
  subjects: Subjects;
  logger: Logger;
  /** How long a reservation holds credit; fractions of a second are allowed (tests). */
  reservationTtlSeconds: number;
  /** Pause between expiry sweeps; fractions of a second are allowed (tests). */
  sweepIntervalSeconds: number;
  /** How long a credit lease lasts (default 900); fractions of a second are allowed (tests). */
  leaseTtlSeconds?: number;
  /**
   * How long a connector usage report waits for ingress's completion fact before it settles the generation
   * itself (default 30, issue 10); fractions of a second are allowed (tests).
   */
  usageReportGraceSeconds?: number;
  /** Pause between outbox relay passes while idle (default 250 ms). */
  outboxRelayIntervalMs?: number;
}

/** A running billing service. */
export interface BillingService {
  /** Stops answering requests, then stops the sweeper and the consumer after the batch of facts in hand. */
  stop(): Promise<void>;
  /** Settlement anomalies recorded since start, by reason: for the metrics endpoint (issue 12). */
  settlementAnomalies: SettlementAnomalyCounter;
  /** Facts the settlement consumer moved to the dead-letter stream since start: for the metrics endpoint (issue 12). */
  deadLetters: DeadLetterCounter;
}

export const billingServiceVersion = "0.1.0";

/** Serves the billing endpoints, settles generation-completed facts and sweeps expired reservations. */
export async function startBilling(options: StartBillingOptions): Promise<BillingService> {
  const { connection, database, subjects, logger } = options;
  const manager = await ensureFactsStream(connection, subjects);
  await ensureDeadLetterStream(connection, subjects);
  await ensureBillingFactsStream(connection, subjects);
  const settlementAnomalies = new SettlementAnomalyCounter();
  const deadLetters = new DeadLetterCounter([subjects.billingConsumer, subjects.billingUsageReportConsumer]);
  const keyChangePublisher = natsKeyChangePublisher({ connection, subjects, logger });
  // One recaller: a reservation short of credit and a key given a limit share one recall per account.
  const recaller = new LeaseRecaller({ database, publishRecall: (accountId) => connection.publish(subjects.creditRecall, JSON.stringify({ accountId })) });
  const service = await serveEndpoints(connection, {
    name: serviceNames.billing,
    version: billingServiceVersion,
    description: "Accounts, API keys, credit reservations and leases, and settlement",
    queue: subjects.queueGroup(serviceNames.billing),
    logger,
    dependency: { name: "database", isUnavailable: isDatabaseUnavailable },
    endpoints: [
      authenticateKeyEndpoint({ database, subjects }),
      reserveCreditsEndpoint({
        database,
        subjects,
        reservationTtlSeconds: options.reservationTtlSeconds,
        recaller,
      }),
      leaseCreditEndpoint({ database, subjects, leaseTtlSeconds: options.leaseTtlSeconds ?? 900 }),
      returnLeaseEndpoint({ database, subjects }),
      voidReservationEndpoint({ database, subjects }),
      createAccountEndpoint({ database, subjects }),
      getAccountEndpoint({ database, subjects }),
      grantCreditsEndpoint({ database, subjects }),
      adjustCreditsEndpoint({ database, subjects }),
      listAccountsEndpoint({ database, subjects }),
      getAccountStatementEndpoint({ database, subjects }),
      reconcileLedgerEndpoint({ database, subjects }),
      createKeyEndpoint({ database, subjects, keyChangePublisher }),
      setAccountDataPolicyEndpoint({ database, subjects, keyChangePublisher }),
      listSettlementAnomaliesEndpoint({ database, subjects }),
      listAdminAuditEndpoint({ database, subjects }),
      // Key management (issue 10): OpenRouter's /keys API, GET /key and GET /credits.
      listKeysEndpoint({ database, subjects }),
      getKeyEndpoint({ database, subjects }),
      updateKeyEndpoint({ database, subjects, keyChangePublisher, recaller }),
      deleteKeyEndpoint({ database, subjects, keyChangePublisher }),
      getCurrentKeyEndpoint({ database, subjects }),
      getCreditsEndpoint({ database, subjects }),
    ],
  });
  let consumer;
  let reportConsumer;
  try {
    consumer = await startSettlementConsumer(connection, { manager, subjects, database, logger, anomalies: settlementAnomalies, deadLetters });
    reportConsumer = await startUsageReportConsumer(connection, { manager, subjects, database, logger, deadLetters });
  } catch (error) {
    await service.stop();
    await consumer?.stop();
    throw error;
  }
  const sweeper = startExpirySweeper({ database, intervalMs: options.sweepIntervalSeconds * 1000, logger });
  const graceMs = (options.usageReportGraceSeconds ?? 30) * 1000;
  if (graceMs >= Math.min(options.reservationTtlSeconds, options.leaseTtlSeconds ?? 900) * 1000) {
    logger.warn({ grace_ms: graceMs }, "USAGE_REPORT_GRACE_SECONDS is not below the reservation and lease TTLs: generations of a dead ingress may be released before they are charged");
  }
  // Checks a few times per grace period, so a report is settled soon after its grace ends.
  const reportSettler = startUsageReportSettler({ database, graceMs, intervalMs: Math.min(5_000, Math.max(100, graceMs / 4)), logger, anomalies: settlementAnomalies });
  const stream = jetstream(connection);
  const outboxRelay = startOutboxRelay({
    database,
    subjects,
    logger,
    intervalMs: options.outboxRelayIntervalMs ?? 250,
    publish: async (subject, payload, messageId) => {
      await stream.publish(subject, payload, { msgID: messageId });
    },
  });

  const stopCountingReservations = ledgerMetrics().sampleOpenReservations(() => countOpenReservations(database));

  return {
    settlementAnomalies,
    deadLetters,
    async stop() {
      stopCountingReservations();
      await service.stop();
      await sweeper.stop();
      await reportSettler.stop();
      await consumer.stop();
      await reportConsumer.stop();
      await outboxRelay.stop();
    },
  };
}
