import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import type { ServiceName } from "../../tools/launcher/src/service-environment.js";
import type { ChaosStack } from "./chaos-stack.js";
import { describeUnchargedGeneration } from "./describe-uncharged-generation.js";
import { auditLedger } from "./ledger-audit.js";
import { processStackModel } from "./process-stack.js";
import { startSteadyTraffic, type TrafficRecord } from "./steady-traffic.js";

export interface ChaosRunOptions {
  chaos: ChaosStack;
  /** The service killed with SIGKILL partway, then started again. */
  service: ServiceName;
  /** At least this many requests; more when the traffic must go on after the restart (`observedRecoveryMs`). */
  requests: number;
  /** New requests per second (an open loop, as real clients: requests keep coming while it is down). */
  requestsPerSecond: number;
  /** No new request while this many are open. */
  concurrency: number;
  /** The kill comes once this share of the requests has been sent. */
  killAfterFraction: number;
  /** How long the killed service stays dead before it is started again. */
  downMs: number;
  /** Every request is aborted after this long, and counted as a hang. */
  requestTimeoutMs: number;
  /** How long charges and records may take to appear after the traffic ended. */
  settleTimeoutMs: number;
  /**
   * How long after the kill the facts and usage reports the killed service had in hand may come back and
   * settle (JetStream delivers them again only after the consumer's ack wait): the wait for charges lasts
   * at least until then, however early the traffic ended.
   */
  lateFactsSettleWithinMs: number;
  progress?: (line: string) => void;
}

/** The figures of one kill, and what broke the rules (empty when nothing did). */
export interface ChaosRunResult {
  service: ServiceName;
  accountId: string;
  requests: number;
  /** 200 with the whole answer (a stream ending in `[DONE]` without an in-band error). */
  answered: number;
  /** A clean error answer (OpenRouter's shape), or — while ingress itself is dead — a refused connection. */
  refused: number;
  /** A 200 whose stream was cut or ended with an in-band error. */
  cut: number;
  /** How the refusals answered (`503 …message`, or the transport error), with how many of each. */
  refusals: Record<string, number>;
  /** Requests sent more than `recoveredAfterMs` after the restart, and how many of them were not served. */
  afterRecovery: { requests: number; notServed: number };
  /** Aborted by the client's timeout: never allowed. */
  hung: number;
  /** Generations whose client received output: each must be charged and recorded exactly once. */
  withOutput: number;
  /** Generations charged; more than `withOutput` when a kill lost output the provider had produced. */
  charged: number;
  /** Of those with output or charged, generations with a record. */
  recorded: number;
  doubleCharges: number;
  missingCharges: number;
  missingRecords: number;
  /** Charges of generations whose client got an error answer before any output. */
  chargedWithoutOutput: number;
  /** How long after the traffic ended every generation with output was charged (or the wait gave up). */
  settledAfterMs: number;
  violations: string[];
  /**
   * For each generation with output left uncharged: its request, reservation, lease, usage report,
   * anomalies, record and log lines, and billing's consumers; so a failure can be followed from its report.
   */
  diagnoses: string[];
}

/**
 * One kill under load: chat completions (streamed and whole, alternately) at a fixed rate against the
 * process stack; after `killAfterFraction` of them, `service` gets SIGKILL and is started again after
 * `downMs`; the traffic runs to its end. Then every generation that produced output for its client must
 * be charged exactly once (its customer leg = −cost) and recorded exactly once at the same cost,
 * generations refused before any output must not be charged, and every answer must be a clean one.
 * Holds are checked by `findOrphanedHolds` once their TTL has passed.
 */
export async function runChaos(options: ChaosRunOptions): Promise<ChaosRunResult> {
  const { stack, database } = options.chaos;
  const progress = options.progress ?? (() => undefined);
  const account = await stack.createFundedKey("1000.00");
  const traffic = startSteadyTraffic({
    origin: stack.origin,
    apiKey: account.key,
    model: processStackModel,
    requestsPerSecond: options.requestsPerSecond,
    maximumInFlight: options.concurrency,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  let killedAt = 0;
  let restartedAt = 0;
  try {
    await waitForSent(traffic.records, Math.round(options.requests * options.killAfterFraction));
    const victim = stack.services.find((service) => service.name === options.service);
    if (victim === undefined) throw new Error(`no ${options.service} process`);
    const inFlightAtKill = traffic.inFlight().length;
    victim.kill("SIGKILL");
    await victim.exited;
    killedAt = performance.now();
    progress(`${options.service} killed with SIGKILL after ${traffic.records.length} requests (${inFlightAtKill} in flight)`);
    await sleep(options.downMs);
    await stack.restart(options.service);
    restartedAt = performance.now();
    progress(`${options.service} restarted and ready after ${Math.round(restartedAt - killedAt)} ms, ${traffic.records.length} requests sent`);
    await waitForSent(traffic.records, options.requests);
    // However many requests the downtime took, the traffic goes on for a while after the recovery
    // window, so that recovery is seen under the same load.
    await sleep(restartedAt + recoveredAfterMs + observedRecoveryMs - performance.now());
  } finally {
    await traffic.stop();
  }
  const records = traffic.records;
  progress(`${options.service}: traffic ended; waiting for settlement`);

  const violations: string[] = [];
  let answered = 0;
  let refused = 0;
  let cut = 0;
  let hung = 0;
  const refusals: Record<string, number> = {};
  const noteRefusal = (what: string) => (refusals[what] = (refusals[what] ?? 0) + 1);
  for (const record of records) {
    if (record.failure !== undefined && /timeout|abort/i.test(record.failure)) {
      hung += 1;
      violations.push(`a ${record.kind} request hung until the client's timeout: ${record.failure}`);
    } else if (record.status === 200) {
      if (record.kind === "whole" ? record.producedOutput : record.streamEnd === "done" && record.errorChunk === undefined) answered += 1;
      else cut += 1;
    } else if (record.status !== undefined) {
      refused += 1;
      noteRefusal(`${record.status} ${(record.errorBody as { error?: { message?: string } } | undefined)?.error?.message ?? ""}`.slice(0, 100));
      const problem = uncleanRefusal(record.status, record.errorBody);
      if (problem) violations.push(`a refusal was not clean: ${problem}`);
    } else {
      refused += 1;
      noteRefusal(record.failure ?? "no answer");
      // Only a dead ingress may fail to answer at all; with ingress up, every request gets an HTTP answer.
      if (options.service !== "ingress") violations.push(`a ${record.kind} request got no HTTP answer: ${record.failure ?? "?"}`);
    }
  }
  // `stack.restart` waits for a ready ingress: the requests a little after it must all be served.
  const afterRecovery = records.filter((record) => record.startedAt > restartedAt + recoveredAfterMs);
  const failedAfterRecovery = afterRecovery.filter((record) => record.status !== 200 || !record.producedOutput);
  if (failedAfterRecovery.length > 0) {
    const seen = failedAfterRecovery.slice(0, 3).map((record) => ({ at: Math.round(record.startedAt - restartedAt), status: record.status, failure: record.failure, error: record.errorBody ?? record.errorChunk }));
    violations.push(`${failedAfterRecovery.length} of ${afterRecovery.length} requests sent ${recoveredAfterMs} ms or more after the restart were not served, e.g. ${JSON.stringify(seen)}`);
  }

  const settleTimeoutMs = Math.max(options.settleTimeoutMs, killedAt + options.lateFactsSettleWithinMs - performance.now());
  const audit = await auditLedger({ databaseUrl: database.connectionString, accountId: account.accountId, records, settleTimeoutMs });
  const outputIds = [...new Set(records.filter((record) => record.producedOutput && record.generationId !== undefined).map((record) => record.generationId as string))];
  for (const id of audit.missingCharge) violations.push(`${id} produced output but was not charged (after waiting ${audit.settledAfterMs} ms)`);
  // How settlement went, for the progress log: the anomalies recorded and the usage reports that settled a generation.
  const { rows: settlementPaths } = await sql<{ what: string; count: string }>`
    SELECT 'anomaly ' || reason AS what, count(*) AS count FROM settlement_anomalies WHERE account_id = ${account.accountId} GROUP BY reason
    UNION ALL
    SELECT 'usage report ' || coalesce(outcome, 'unresolved'), count(*) FROM connector_usage_reports WHERE account_id = ${account.accountId} GROUP BY outcome
  `.execute(database.database);
  progress(`${options.service}: ${settlementPaths.length === 0 ? "no anomaly, no usage report stored" : settlementPaths.map((row) => `${row.what}: ${row.count}`).join(", ")}`);
  const diagnoses: string[] = [];
  if (audit.missingCharge.length > 0) {
    diagnoses.push(`${options.service} killed: billing's consumers: ${await options.chaos.describeBillingConsumers().catch((error: unknown) => String(error))}`);
    for (const id of audit.missingCharge.slice(0, 5)) {
      const record = records.find((candidate) => candidate.generationId === id);
      diagnoses.push(await describeUnchargedGeneration({ database: database.database, generationId: id, record, kill: { killedAt, restartedAt }, logDirectory: options.chaos.logDirectory }));
    }
    for (const diagnosis of diagnoses) progress(diagnosis);
  }
  for (const id of audit.chargedTwice) violations.push(`${id} was charged more than once`);
  for (const mismatch of audit.costMismatch) violations.push(`${mismatch.generationId} was shown ${mismatch.shownMicros} µ$ but charged ${mismatch.chargedMicros}`);
  if (audit.balanceMicros !== audit.grantsMicros - audit.chargesMicros) violations.push(`balance ${audit.balanceMicros} ≠ grants ${audit.grantsMicros} − charges ${audit.chargesMicros}`);

  // Recorded once, at the cost charged; metadata-logging may lag behind billing, so wait for it too.
  const accounts = database.database;
  const charges = await accounts
    .selectFrom("ledger_entries")
    .select(["generation_id", "amount_micros"])
    .where("account_id", "=", account.accountId)
    .where("kind", "=", "charge")
    .execute();
  const chargeOf = new Map(charges.map((charge) => [charge.generation_id as string, -charge.amount_micros]));
  // Charged generations include some whose client saw no output (the provider's output was lost with a
  // killed ingress, and charged from the connector's usage report): each of those is recorded once too.
  const expectedRecords = [...new Set([...outputIds, ...chargeOf.keys()])];
  const recordsOf = async () =>
    expectedRecords.length === 0 ? [] : accounts.selectFrom("generations").select(["id", "cost_micros"]).where("id", "in", expectedRecords).execute();
  let recorded = await recordsOf();
  const recordDeadline = performance.now() + options.settleTimeoutMs;
  while (new Set(recorded.map((row) => row.id)).size < expectedRecords.length && performance.now() < recordDeadline) {
    await sleep(200);
    recorded = await recordsOf();
  }
  const recordCount = new Map<string, number>();
  for (const row of recorded) recordCount.set(row.id, (recordCount.get(row.id) ?? 0) + 1);
  const missingRecords = expectedRecords.filter((id) => !recordCount.has(id));
  for (const id of missingRecords) violations.push(`${id} was ${outputIds.includes(id) ? "shown to its client" : "charged"} but not recorded`);
  for (const [id, count] of recordCount) if (count > 1) violations.push(`${id} was recorded ${count} times`);
  for (const row of recorded) {
    const charged = chargeOf.get(row.id);
    if (charged !== undefined && charged !== row.cost_micros) violations.push(`${row.id} was charged ${charged} µ$ but recorded at ${row.cost_micros}`);
  }

  // A generation refused before any output reached its client costs nothing.
  const refusedIds = records.filter((record) => record.status !== undefined && record.status !== 200 && record.generationId !== undefined).map((record) => record.generationId as string);
  const chargedWithoutOutput = refusedIds.filter((id) => chargeOf.has(id));
  for (const id of chargedWithoutOutput) violations.push(`${id} was refused to its client but charged`);

  // The running balance (Σ ledger entries in the order they were written) never went below zero.
  const lowest = await accounts
    .selectFrom((query) =>
      query
        .selectFrom("ledger_entries")
        .select((expression) => expression.fn.sum<number>("amount_micros").over((over) => over.orderBy("transaction_id")).as("running"))
        .where("account_id", "=", account.accountId)
        .as("balances"),
    )
    .select((expression) => expression.fn.min("running").as("lowest"))
    .executeTakeFirst();
  if (lowest?.lowest !== undefined && lowest.lowest !== null && Number(lowest.lowest) < 0) violations.push(`the account's balance went down to ${String(lowest.lowest)} µ$`);

  return {
    service: options.service,
    accountId: account.accountId,
    requests: records.length,
    answered,
    refused,
    refusals,
    afterRecovery: { requests: afterRecovery.length, notServed: failedAfterRecovery.length },
    cut,
    hung,
    withOutput: outputIds.length,
    charged: audit.charges,
    recorded: recordCount.size,
    doubleCharges: audit.chargedTwice.length,
    missingCharges: audit.missingCharge.length,
    missingRecords: missingRecords.length,
    chargedWithoutOutput: chargedWithoutOutput.length,
    settledAfterMs: audit.settledAfterMs,
    violations,
    diagnoses,
  };
}

/** The requests sent this long after the restart must all be served. */
const recoveredAfterMs = 2_000;

/** How long the traffic goes on at least after the recovery window. */
const observedRecoveryMs = 3_000;

/** Resolves once `count` requests have been sent. */
async function waitForSent(records: readonly TrafficRecord[], count: number): Promise<void> {
  while (records.length < count) await sleep(20);
}

/** Why an error answer is not a clean OpenRouter-shaped refusal, or undefined when it is. */
function uncleanRefusal(status: number, body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  // 502/503 for a dead or silent service; 504 when a generation whose connector died, retried, reached
  // GENERATION_MAX_DURATION_MS (bounded, not a hang). A 500 or any other 5xx is a bug.
  if (status >= 500 && status !== 502 && status !== 503 && status !== 504) return `status ${status}: ${JSON.stringify(body)}`;
  if (error === undefined || error.code !== status || typeof error.message !== "string") return `status ${status} with body ${JSON.stringify(body)}`;
  return undefined;
}
