import { randomUUID } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connectorUsageReportSchema, reserveReplySchema, type ConnectorUsageReport } from "@switchboard/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "../../../services/billing/src/repositories/accounts.js";
import { pruneConfirmingUsageReports } from "../../../services/billing/src/repositories/connector-usage-reports.js";
import { sql } from "kysely";
import { expireLeases, grantLease, returnLease } from "../../../services/billing/src/repositories/credit-leases.js";
import { readDeadLetters } from "@switchboard/messaging";
import { usageReport } from "../../support/usage-report.js";
import { completedFact, findLedgerViolations, publishFact, startBillingUnderTest, waitFor, waitForConsumerIdle, type BillingUnderTest } from "./billing-test-kit.js";
import { createFundedKey } from "./funded-key.js";

// 1000 + 1000 tokens at the test price cost 750 µ$ (usageReport, completedFact).
const reportCostMicros = 750;
const graceSeconds = 0.5;

describe("connector usage reports (issue 10: a generation whose ingress died is still charged)", () => {
  let harness: BillingUnderTest;
  beforeAll(async () => {
    harness = await startBillingUnderTest({ usageReportGraceSeconds: graceSeconds });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  const publishReport = async (report: ConnectorUsageReport) => {
    await jetstream(harness.connection).publish(harness.subjects.connectorUsageReported, JSON.stringify(connectorUsageReportSchema.parse(report)), {
      msgID: `${report.generationId}:${report.origin.attempt}`,
    });
  };
  const reserveFor = (generationId: string, accountId: string, keyId: string, amountMicros: number) =>
    harness.request(harness.subjects.billingReserve, { generationId, accountId, keyId, amountMicros }, reserveReplySchema);
  const chargesOf = (generationId: string) =>
    harness.database.selectFrom("ledger_entries").selectAll().where("generation_id", "=", generationId).where("kind", "=", "charge").execute();
  const reportRow = (generationId: string) =>
    harness.database.selectFrom("connector_usage_reports").selectAll().where("generation_id", "=", generationId).executeTakeFirst();
  const resolvedReport = async (generationId: string) => {
    await waitFor(async () => (await reportRow(generationId))?.resolved_at != null);
    return reportRow(generationId);
  };

  it("charges a reserved generation once from the report after the grace period, when no completion fact came", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const report = usageReport({ origin: { accountId, keyId } });
    await reserveFor(report.generationId, accountId, keyId, 2_000);
    const publishedAt = Date.now();
    await publishReport(report);
    // Redelivered and republished beyond the duplicate window: still one report, one charge.
    await jetstream(harness.connection).publish(harness.subjects.connectorUsageReported, JSON.stringify(report), { msgID: `${report.generationId}:again` });
    const row = await resolvedReport(report.generationId);
    expect(Date.now() - publishedAt).toBeGreaterThanOrEqual(graceSeconds * 1000);
    expect(row).toMatchObject({ outcome: "settled", cost_micros: reportCostMicros, conflicting_cost_micros: null });
    expect(await chargesOf(report.generationId)).toHaveLength(1);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000 - reportCostMicros, reserved_micros: 0 });

    // Ingress's fact arriving later (with other usage) changes nothing; the disagreement is recorded.
    const late = completedFact({ generationId: report.generationId, accountId, keyId, usage: { ...report.usage, completionTokens: 10 } });
    await publishFact(harness.connection, harness.subjects, late);
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer);
    expect(await chargesOf(report.generationId)).toHaveLength(1);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000 - reportCostMicros, reserved_micros: 0 });
    // Recorded once, as a settlement anomaly (the report's row keeps a conflict only when the report is the later claim).
    const conflicts = await harness.database.selectFrom("settlement_anomalies").selectAll().where("generation_id", "=", report.generationId).execute();
    expect(conflicts).toEqual([expect.objectContaining({ reason: "conflicting-usage", claimed_micros: 156 })]);
    expect(await reportRow(report.generationId)).toMatchObject({ conflicting_cost_micros: null });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("charges once when both the completion fact and the report come, and records their disagreement", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const report = usageReport({ origin: { accountId, keyId } });
    await reserveFor(report.generationId, accountId, keyId, 2_000);
    // Ingress counted fewer tokens (a cancelled stream it estimated): its fact settles first and stands.
    const fact = completedFact({ generationId: report.generationId, accountId, keyId, usage: { ...report.usage, completionTokens: 500 } });
    await publishFact(harness.connection, harness.subjects, fact);
    await publishReport(report);
    const row = await resolvedReport(report.generationId);
    expect(row).toMatchObject({ outcome: "already-resolved", conflicting_cost_micros: 450 });
    expect(await chargesOf(report.generationId)).toEqual([expect.objectContaining({ amount_micros: -450 })]);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000 - 450, reserved_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("charges a generation held against a lease from its report, taking its cost from the lease", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const lease = await grantLease(harness.database, { leaseId: randomUUID(), accountId, holder: "ingress-test", amountMicros: 10_000, minimumMicros: 1, ttlSeconds: 900 });
    const report = usageReport({ origin: { accountId, keyId, lease: { leaseId: lease.leaseId as string, holdMicros: 2_000 } } });
    await publishReport(report);
    expect(await resolvedReport(report.generationId)).toMatchObject({ outcome: "settled" });
    expect(await chargesOf(report.generationId)).toHaveLength(1);
    const reservation = await harness.database.selectFrom("reservations").selectAll().where("generation_id", "=", report.generationId).executeTakeFirstOrThrow();
    expect(reservation).toMatchObject({ status: "settled", lease_id: lease.leaseId, lease_consumed_micros: reportCostMicros, charged_micros: reportCostMicros });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - reportCostMicros, leased_micros: 10_000 - reportCostMicros });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("deletes, after their retention, only the reports that confirmed a completion fact without disagreeing", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const confirming = usageReport({ origin: { accountId, keyId } });
    const charging = usageReport({ origin: { accountId, keyId } });
    await reserveFor(confirming.generationId, accountId, keyId, 2_000);
    await reserveFor(charging.generationId, accountId, keyId, 2_000);
    // The report first (the usual order): it is stored, then only confirms the fact that settles meanwhile.
    await publishReport(confirming);
    await waitFor(async () => (await reportRow(confirming.generationId)) !== undefined);
    await publishFact(harness.connection, harness.subjects, completedFact({ generationId: confirming.generationId, accountId, keyId }));
    await publishReport(charging);
    expect(await resolvedReport(confirming.generationId)).toMatchObject({ outcome: "already-resolved", conflicting_cost_micros: null });
    expect(await resolvedReport(charging.generationId)).toMatchObject({ outcome: "settled" });
    expect(await pruneConfirmingUsageReports(harness.database, new Date(Date.now() - 60_000))).toBe(0);
    expect(await pruneConfirmingUsageReports(harness.database, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await reportRow(confirming.generationId)).toBeUndefined();
    expect(await reportRow(charging.generationId)).toMatchObject({ outcome: "settled" });
  });

  const anomalyOf = (generationId: string) =>
    harness.database.selectFrom("settlement_anomalies").selectAll().where("generation_id", "=", generationId).executeTakeFirst();
  const leaseFor = async (accountId: string, holder: string, amountMicros: number) => {
    const lease = await grantLease(harness.database, { leaseId: randomUUID(), accountId, holder, amountMicros, minimumMicros: 1, ttlSeconds: 900 });
    return lease.leaseId as string;
  };

  it("charges nothing for a report naming another ingress replica's lease, and records it as an anomaly (a connector cannot spend a lease it saw)", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const leaseId = await leaseFor(accountId, "ingress-other", 10_000);
    // A fresh generation id, a consumption well within the grant: only the holder check refuses it.
    const forged = usageReport({ origin: { ingressId: "ingress-test", accountId, keyId, lease: { leaseId, holdMicros: 2_000 } } });
    await publishReport(forged);
    expect(await resolvedReport(forged.generationId)).toMatchObject({ outcome: "anomaly" });
    expect(await chargesOf(forged.generationId)).toHaveLength(0);
    expect(await anomalyOf(forged.generationId)).toMatchObject({ reason: "lease-holder-mismatch", lease_id: leaseId });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000, leased_micros: 10_000 });
    expect(await harness.database.selectFrom("reservations").select("generation_id").where("generation_id", "=", forged.generationId).execute()).toEqual([]);
  });

  it("charges reports against a lease only up to what it has left in total, each within the grant alone, and records the rest as anomalies", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const leaseId = await leaseFor(accountId, "ingress-test", 2_000);
    const reports = [0, 1, 2].map(() => usageReport({ origin: { accountId, keyId, lease: { leaseId, holdMicros: 1_000 } } }));
    for (const report of reports) await publishReport(report);
    const rows = await Promise.all(reports.map((report) => resolvedReport(report.generationId)));
    // 3 × 750 µ$ against 2,000 µ$: two fit, the third would take 2,250.
    expect(rows.map((row) => row?.outcome).sort()).toEqual(["anomaly", "settled", "settled"]);
    const refused = reports[rows.findIndex((row) => row?.outcome === "anomaly")];
    expect(await anomalyOf(refused?.generationId ?? "")).toMatchObject({ reason: "exceeds-lease" });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - 2 * reportCostMicros, leased_micros: 2_000 - 2 * reportCostMicros });
    // A later one (another pass) is refused as well: the lease has 500 µ$ left.
    const late = usageReport({ origin: { accountId, keyId, lease: { leaseId, holdMicros: 1_000 } } });
    await publishReport(late);
    expect(await resolvedReport(late.generationId)).toMatchObject({ outcome: "anomaly" });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - 2 * reportCostMicros });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("on a closed lease, a report consumes only its cost; what the close kept beyond it goes back when the lease expires", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const leaseId = (await grantLease(harness.database, { leaseId: randomUUID(), accountId, holder: "ingress-test", amountMicros: 10_000, minimumMicros: 1, ttlSeconds: 10 })).leaseId as string;
    // Ingress closed the lease while the generation ran (AccountLease.close: consumed 0 + held 2,000), then died.
    expect(await returnLease(harness.database, { leaseId, accountId, expectedConsumptionMicros: 2_000 })).toBe(8_000);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ leased_micros: 2_000 });
    const report = usageReport({ origin: { accountId, keyId, lease: { leaseId, holdMicros: 2_000 } } });
    await publishReport(report);
    expect(await resolvedReport(report.generationId)).toMatchObject({ outcome: "settled", cost_micros: reportCostMicros });
    const reservation = await harness.database.selectFrom("reservations").selectAll().where("generation_id", "=", report.generationId).executeTakeFirstOrThrow();
    // Billing cannot tell whether the generation ran at the close (ingress counted its hold) or had ended.
    expect(reservation).toMatchObject({ lease_consumed_micros: reportCostMicros, charged_micros: reportCostMicros });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - reportCostMicros, leased_micros: 2_000 - reportCostMicros });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
    // The rest of the hold comes back with the lease's expiry.
    expect(await expireLeases(harness.database, new Date(Date.now() + 11_000))).toBeGreaterThanOrEqual(1);
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - reportCostMicros, leased_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("on a closed lease, reports of generations that had ended before the close leave the hold of one still running to that one's completion fact", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 100_000);
    const leaseId = await leaseFor(accountId, "ingress-test", 10_000);
    // At the close generations A1 and A2 had ended (cost 750 each) and B ran (hold 2,000): ingress keeps 3,500.
    await returnLease(harness.database, { leaseId, accountId, expectedConsumptionMicros: 2 * reportCostMicros + 2_000 });
    // The completion facts of A1 and A2 are late (a killed billing had them in hand): their reports settle them first.
    const reportsOfA = [0, 1].map(() => usageReport({ origin: { accountId, keyId, lease: { leaseId, holdMicros: 2_000 } } }));
    for (const report of reportsOfA) await publishReport(report);
    for (const report of reportsOfA) expect(await resolvedReport(report.generationId)).toMatchObject({ outcome: "settled" });
    // B ended after the close, so ingress's fact consumes its whole hold (AccountLease.finish): it must still fit.
    const factOfB = completedFact({ accountId, keyId, lease: { leaseId, holdMicros: 2_000, consumedMicros: 2_000 } });
    await publishFact(harness.connection, harness.subjects, factOfB);
    // The late facts of A1 and A2, redelivered after billing's restart, and B's report change nothing.
    for (const report of reportsOfA) {
      const late = completedFact({ generationId: report.generationId, accountId, keyId, lease: { leaseId, holdMicros: 2_000, consumedMicros: reportCostMicros } });
      await publishFact(harness.connection, harness.subjects, late);
    }
    await publishReport(usageReport({ generationId: factOfB.generationId, origin: { accountId, keyId, lease: { leaseId, holdMicros: 2_000 } } }));
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer);
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingUsageReportConsumer);
    for (const generationId of [factOfB.generationId, ...reportsOfA.map((report) => report.generationId)]) {
      expect(await anomalyOf(generationId), generationId).toBeUndefined();
      expect(await chargesOf(generationId), generationId).toHaveLength(1);
    }
    // The lease's kept credit is used up exactly: 750 by each A, 2,000 by B.
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 100_000 - 3 * reportCostMicros, leased_micros: 0 });
    expect(await findLedgerViolations(harness.database)).toEqual([]);
  });

  it("settles from the highest attempt's report whatever order the attempts' reports arrive in", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const generationId = `gen-${randomUUID()}`;
    // Attempt 0 was stopped after a little output; attempt 1 streamed the whole answer; ingress died.
    const partial = usageReport({ generationId, origin: { accountId, keyId, attempt: 0 }, outcome: "aborted", finishReason: null, usage: { ...usageReport().usage, completionTokens: 10 } });
    const whole = usageReport({ generationId, origin: { accountId, keyId, attempt: 1 } });
    await reserveFor(generationId, accountId, keyId, 2_000);
    await publishReport(partial);
    await waitFor(async () => (await reportRow(generationId)) !== undefined);
    await publishReport(whole);
    await waitFor(async () => (await reportRow(generationId))?.attempt === 1);
    expect(await resolvedReport(generationId)).toMatchObject({ outcome: "settled", attempt: 1, cost_micros: reportCostMicros });

    const otherId = `gen-${randomUUID()}`;
    await reserveFor(otherId, accountId, keyId, 2_000);
    await publishReport({ ...whole, generationId: otherId });
    await publishReport({ ...partial, generationId: otherId });
    expect(await resolvedReport(otherId)).toMatchObject({ outcome: "settled", attempt: 1, cost_micros: reportCostMicros });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000 - 2 * reportCostMicros, reserved_micros: 0 });
  });

  it("marks a stored report that no longer parses as unparsable and settles the reports behind it", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const brokenId = `gen-${randomUUID()}`;
    // Older than every other report: the oldest-first batch meets it first.
    await sql`
      INSERT INTO connector_usage_reports (generation_id, attempt, account_id, key_id, report, cost_micros, received_at)
      VALUES (${brokenId}, 0, ${accountId}, ${keyId}, '{"generationId": "broken"}'::jsonb, 1, now() - interval '1 hour')
    `.execute(harness.database);
    const valid = usageReport({ origin: { accountId, keyId } });
    await reserveFor(valid.generationId, accountId, keyId, 2_000);
    await publishReport(valid);
    expect(await resolvedReport(valid.generationId)).toMatchObject({ outcome: "settled" });
    expect(await reportRow(brokenId)).toMatchObject({ outcome: "unparsable", resolved_at: expect.any(Date) });
    expect(await chargesOf(brokenId)).toHaveLength(0);
  });

  it("does not store a report whose generation a completion fact already settled at its cost, and stores one that disagrees", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const confirming = usageReport({ origin: { accountId, keyId } });
    const disagreeing = usageReport({ origin: { accountId, keyId } });
    for (const report of [confirming, disagreeing]) {
      await reserveFor(report.generationId, accountId, keyId, 2_000);
      const usage = report === confirming ? report.usage : { ...report.usage, completionTokens: 500 };
      await publishFact(harness.connection, harness.subjects, completedFact({ generationId: report.generationId, accountId, keyId, usage }));
    }
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingConsumer);
    await publishReport(confirming);
    await publishReport(disagreeing);
    await waitForConsumerIdle(harness.connection, harness.subjects.factsStream, harness.subjects.billingUsageReportConsumer);
    expect(await reportRow(confirming.generationId)).toBeUndefined();
    expect(await resolvedReport(disagreeing.generationId)).toMatchObject({ outcome: "already-resolved", conflicting_cost_micros: 450 });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000 - reportCostMicros - 450, reserved_micros: 0 });
  });

  it("charges nothing for a report naming a generation billing holds nothing for, and records it as an anomaly", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const report = usageReport({ origin: { accountId, keyId } });
    await publishReport(report);
    expect(await resolvedReport(report.generationId)).toMatchObject({ outcome: "anomaly" });
    expect(await chargesOf(report.generationId)).toHaveLength(0);
    const anomaly = await harness.database.selectFrom("settlement_anomalies").selectAll().where("generation_id", "=", report.generationId).executeTakeFirst();
    expect(anomaly).toMatchObject({ reason: "no-hold" });
    expect(await getAccount(harness.database, accountId)).toMatchObject({ balance_micros: 10_000 });
  });

  it("moves a report that fails its schema to the dead-letter stream, and settles the valid ones around it", async () => {
    const { accountId, keyId } = await createFundedKey(harness.database, 10_000);
    const valid = usageReport({ origin: { accountId, keyId } });
    await reserveFor(valid.generationId, accountId, keyId, 2_000);
    const invalidId = `gen-${randomUUID()}`;
    await jetstream(harness.connection).publish(harness.subjects.connectorUsageReported, JSON.stringify({ generationId: invalidId, usage: "lots" }), { msgID: invalidId });
    await publishReport(valid);
    expect(await resolvedReport(valid.generationId)).toMatchObject({ outcome: "settled" });
    await waitFor(async () => harness.billing.deadLetters.total(harness.subjects.billingUsageReportConsumer) === 1);
    const letters = await readDeadLetters(await jetstreamManager(harness.connection), harness.subjects, 100);
    expect(letters.some((letter) => letter.consumer === harness.subjects.billingUsageReportConsumer)).toBe(true);
  });
});
