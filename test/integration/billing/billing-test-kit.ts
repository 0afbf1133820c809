import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  createSubjects,
  generationCompletedSchema,
  type GenerationCompleted,
  type Subjects,
} from "@switchboard/contracts";
import type { Database } from "@switchboard/db";
import type { Logger } from "@switchboard/telemetry";
import { requestReply } from "@switchboard/messaging";
import { sql, type Kysely } from "kysely";
import type { z } from "zod";
import { reconcileLedger } from "../../../services/billing/src/repositories/ledger-reconciliation.js";
import { startBilling, type BillingService } from "../../../services/billing/src/start-billing.js";
import { createTestDatabase, type TestDatabase } from "../../support/test-database.js";
import { connectTestNats, uniqueNamespace } from "../../support/test-nats.js";
import { testLogger } from "../../support/silent-logger.js";

/** Billing running in-process on a fresh database and its own NATS namespace. */
export interface BillingUnderTest {
  connection: NatsConnection;
  subjects: Subjects;
  testDatabase: TestDatabase;
  database: Kysely<Database>;
  billing: BillingService;
  /** A request to a billing endpoint, parsed with `schema`; error replies throw SwitchboardError. */
  request<Schema extends z.ZodType>(subject: string, payload: unknown, schema: Schema): Promise<z.infer<Schema>>;
  stop(): Promise<void>;
}

export async function startBillingUnderTest(
  options: { reservationTtlSeconds?: number; sweepIntervalSeconds?: number; leaseTtlSeconds?: number; usageReportGraceSeconds?: number; logger?: Logger } = {},
): Promise<BillingUnderTest> {
  const testDatabase = await createTestDatabase();
  const connection = await connectTestNats("billing-test");
  const subjects = createSubjects(uniqueNamespace("bil"));
  const billing = await startBilling({
    connection,
    database: testDatabase.database,
    subjects,
    logger: options.logger ?? testLogger("billing"),
    reservationTtlSeconds: options.reservationTtlSeconds ?? 900,
    sweepIntervalSeconds: options.sweepIntervalSeconds ?? 30,
    ...(options.leaseTtlSeconds === undefined ? {} : { leaseTtlSeconds: options.leaseTtlSeconds }),
    ...(options.usageReportGraceSeconds === undefined ? {} : { usageReportGraceSeconds: options.usageReportGraceSeconds }),
  });
  return {
    connection,
    subjects,
    testDatabase,
    database: testDatabase.database,
    billing,
    request: (subject, payload, schema) => requestReply(connection, subject, payload, schema, { timeoutMs: 10_000 }),
    async stop() {
      await billing.stop();
      const manager = await jetstreamManager(connection);
      await manager.streams.delete(subjects.factsStream).catch(() => undefined);
      await manager.streams.delete(subjects.deadLetterStream).catch(() => undefined);
      await manager.streams.delete(subjects.billingFactsStream).catch(() => undefined);
      await connection.drain();
      await testDatabase.drop();
    },
  };
}

export { completedFact, testPrice } from "../../support/completed-fact.js";

/**
 * Publishes a fact and waits for the stream's acknowledgement. Each call may pass its own message id:
 * distinct ids defeat JetStream's duplicate window, which is what a redelivery after AckWait or a
 * republish after the window looks like to the consumer.
 */
export async function publishFact(connection: NatsConnection, subjects: Subjects, fact: GenerationCompleted, messageId = fact.generationId): Promise<void> {
  await jetstream(connection).publish(subjects.generationCompleted, JSON.stringify(generationCompletedSchema.parse(fact)), { msgID: messageId });
}

/** Resolves once the durable consumer has handled and acknowledged everything in the stream. */
export async function waitForConsumerIdle(connection: NatsConnection, stream: string, durableName: string, timeoutMs = 10_000): Promise<void> {
  const manager = await jetstreamManager(connection);
  await waitFor(async () => {
    const info = await manager.consumers.info(stream, durableName);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, timeoutMs);
}

/** Polls `check` every 20 ms until it is true; fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The ledger audit: for every account, balance = Σ ledger entries (A2), reserved = Σ pending reservations,
 * each generation has at most one charge (A4), and the ledger is double-entry (every transaction, and the
 * whole ledger, sums to zero). Returns the violations, empty when all hold.
 */
export async function findLedgerViolations(database: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ id: string; balance_micros: number; ledger_micros: number; reserved_micros: number; pending_micros: number; leased_micros: number; lease_micros: number }>`
    SELECT a.id, a.balance_micros, a.reserved_micros, a.leased_micros,
      (SELECT coalesce(sum(l.amount_micros), 0)::bigint FROM ledger_entries l WHERE l.account_id = a.id) AS ledger_micros,
      (SELECT coalesce(sum(r.amount_micros), 0)::bigint FROM reservations r WHERE r.account_id = a.id AND r.status = 'pending') AS pending_micros,
      (SELECT coalesce(sum(lease.granted_micros - lease.returned_micros
          - (SELECT coalesce(sum(r.lease_consumed_micros), 0) FROM reservations r WHERE r.lease_id = lease.id)), 0)::bigint
        FROM credit_leases lease WHERE lease.account_id = a.id AND lease.status <> 'expired') AS lease_micros
    FROM accounts a
  `.execute(database);
  const violations: string[] = [];
  for (const row of rows) {
    if (row.balance_micros !== row.ledger_micros) violations.push(`${row.id}: balance ${row.balance_micros} ≠ Σ ledger ${row.ledger_micros}`);
    if (row.reserved_micros !== row.pending_micros) violations.push(`${row.id}: reserved ${row.reserved_micros} ≠ Σ pending ${row.pending_micros}`);
    if (row.leased_micros !== row.lease_micros) violations.push(`${row.id}: leased ${row.leased_micros} ≠ Σ what its leases hold ${row.lease_micros}`);
    if (row.balance_micros < 0) violations.push(`${row.id}: balance ${row.balance_micros} below zero`);
  }
  const { rows: doubleCharges } = await sql<{ generation_id: string }>`
    SELECT generation_id FROM ledger_entries WHERE kind = 'charge' AND account_id IS NOT NULL GROUP BY generation_id HAVING count(*) > 1
  `.execute(database);
  for (const row of doubleCharges) violations.push(`${row.generation_id}: charged more than once`);
  // Each lease's running total of consumption is what its generations consumed.
  const { rows: leaseTotals } = await sql<{ id: string; consumed_micros: number; summed_micros: number }>`
    SELECT lease.id, lease.consumed_micros,
      (SELECT coalesce(sum(r.lease_consumed_micros), 0)::bigint FROM reservations r WHERE r.lease_id = lease.id) AS summed_micros
    FROM credit_leases lease
  `.execute(database);
  for (const row of leaseTotals) {
    if (row.consumed_micros !== row.summed_micros) violations.push(`lease ${row.id}: consumed ${row.consumed_micros} ≠ Σ its generations ${row.summed_micros}`);
  }
  // Double entry: every ledger transaction's postings sum to zero, and so does the whole ledger.
  const reconciliation = await reconcileLedger(database);
  for (const row of reconciliation.unbalanced_transactions) violations.push(`ledger transaction ${row.transaction_id}: ${row.postings} postings summing to ${row.total_micros}`);
  if (reconciliation.ledger_total_micros !== 0) violations.push(`the ledger sums to ${reconciliation.ledger_total_micros}, not zero`);
  return violations;
}
