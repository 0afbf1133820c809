import { computeCostMicros, replaceControlCharacters, type GenerationCompleted, type SettlementAnomalyReason } from "@switchboard/contracts";
import type { CreditLeaseStatus, Database, ReservationStatus } from "@switchboard/db";
import { sql, type Transaction } from "kysely";
import { inTransaction, isUuid, type DatabaseExecutor } from "./database-executor.js";

/** What settlement did with a fact; the caller logs the unusual outcomes. */
export const settleOutcomes = {
  /** The pending reservation was charged the actual cost and released. */
  settled: "settled",
  /** Nothing was produced by a failed generation: released without a charge. */
  voided: "voided",
  /** The reservation had already been settled or voided (a redelivered fact): nothing changed. */
  alreadyResolved: "already-resolved",
  /** The reservation had expired before the fact arrived; the generation was charged now, once. */
  chargedAfterExpiry: "charged-after-expiry",
  /**
   * Billing holds nothing for the fact, or the fact claims another cost than its generation was settled at
   * (see `settlementAnomalyReasons`): nothing was charged, and the fact was recorded in
   * `settlement_anomalies` (once per generation id; a conflict once per generation id and claimed cost).
   */
  anomaly: "anomaly",
} as const;
export type SettleOutcome = (typeof settleOutcomes)[keyof typeof settleOutcomes];

export interface SettleResult {
  generationId: string;
  outcome: SettleOutcome;
  /** The generation's cost, whether or not this call was the one that charged it. */
  costMicros: number;
  /** True when this call inserted the charge into the ledger. */
  charged: boolean;
  /** Set when the outcome is `anomaly`. */
  anomaly?: SettleAnomaly;
}

/** What settlement recorded for a fact it held nothing for, or one that conflicts with the settled cost. */
export interface SettleAnomaly {
  reason: SettlementAnomalyReason;
  /** The account id as the fact named it (control characters replaced, at most 200 characters). */
  accountId: string;
  /** True when this call recorded it; false when an earlier delivery already had. */
  recorded: boolean;
}

export interface SettleOptions {
  now?: Date;
  /**
   * The facts that stand for a connector's usage report (issue 10), by generation id, with the ingress
   * replica the report names: their lease must be that replica's (`credit_leases.holder`), and they consume
   * only their cost from it (`resolveLeaseHolds`).
   */
  reportedBy?: ReadonlyMap<string, string>;
}

/** Settles one generation: `settleGenerations` with a batch of one. */
export async function settle(database: DatabaseExecutor, fact: GenerationCompleted, options: { now?: Date } = {}): Promise<SettleResult> {
  const [result] = await settleGenerations(database, [fact], options);
  if (!result) throw new Error(`settling ${fact.generationId} gave no result`);
  return result;
}

/**
 * Settles the generations a batch of completion facts reports, idempotently by generation id, in one
 * transaction of three set-based statements whatever the batch size (five when the batch has
 * generations held against credit leases; a second pass when copies within it claim different costs):
 *
 * 0. generations ingress held against a lease get their reservation row now, already resolved, with
 *    what they consumed from the lease (`resolveLeaseHolds`: leases locked, then one checking insert), if the lease matches the fact;
 * 1. resolve the batch's reservations of the account and key the facts name: a pending one becomes
 *    settled (or voided: a failed generation that cost nothing) with the actual cost; an expired one not
 *    yet charged records its late charge and stays expired (a reservation resolves once). Rows are locked
 *    in generation id order, and a row another transaction (a second consumer, the expiry sweeper)
 *    resolved meanwhile is re-checked and skipped;
 * 2. insert the charges, one ledger transaction per reservation just resolved (in generation id order)
 *    with its two postings (account → revenue), the billing-settled fact of each into the outbox, and, in the same statement, record as an anomaly each fact billing holds nothing for
 *    (`settlementAnomalyReasons`). The ledger's unique charge transaction per generation and the anomalies' unique
 *    indexes (`ON CONFLICT DO NOTHING`) are the exactly-once guards, also against a concurrent duplicate;
 * 3. apply each account's total change, charges to the balance, released holds to `reserved_micros`
 *    and lease consumption to `leased_micros`,
 *    in ONE update per account per batch, rows locked in account id order so that concurrent batches,
 *    the sweeper and single reservations cannot deadlock.
 *
 * Only what billing reserved or leased is charged: a fact is the claim of whoever could publish it, and
 * charging an account because a message names it would let any publisher spend anyone's credit.
 *
 * The hot account row is locked only by the last statement, until the commit: a reservation on the
 * request path never waits for the rest of a batch. Each generation's cost is `computeCostMicros(usage,
 * price)`; balance stays = Σ the account's postings because the balance moves by exactly the charges inserted.
 * A fact repeated within the batch counts once (its first copy). A redelivered fact of a settled generation
 * that claims the same cost changes nothing (`already-resolved`); one claiming another cost (other usage
 * or price: the same generation id reported twice differently) changes nothing either but is recorded as
 * the anomaly `conflicting-usage`, by statement 2, against the cost charged (`charged_micros`, also for
 * lease holds). A copy within the batch that claims another cost than its first copy is settled after it,
 * in the same transaction, and so judged the same way. Results follow the facts' order.
 */
export async function settleGenerations(
  database: DatabaseExecutor,
  facts: readonly GenerationCompleted[],
  options: SettleOptions = {},
): Promise<SettleResult[]> {
  const now = options.now ?? new Date();
  const firstOfEach = new Map<string, { fact: GenerationCompleted; costMicros: number }>();
  const factCosts = facts.map((fact) => computeCostMicros(fact.usage, fact.price));
  const conflictingCopies = new Map<string, GenerationCompleted>();
  facts.forEach((fact, index) => {
    const costMicros = factCosts[index] ?? 0;
    const first = firstOfEach.get(fact.generationId);
    if (!first) firstOfEach.set(fact.generationId, { fact, costMicros });
    else if (first.costMicros !== costMicros && !conflictingCopies.has(copyKey(fact.generationId, costMicros))) {
      conflictingCopies.set(copyKey(fact.generationId, costMicros), fact);
    }
  });
  if (firstOfEach.size === 0) return [];
  const unique = [...firstOfEach.values()];
  const generationIds = unique.map((entry) => entry.fact.generationId);
  const costs = unique.map((entry) => entry.costMicros);
  // Ids that are not UUIDs can match no account, key or reservation: compared as null.
  const factAccountIds = unique.map((entry) => uuidOrNull(entry.fact.accountId));
  const factKeyIds = unique.map((entry) => uuidOrNull(entry.fact.keyId));

  const conflictResults = new Map<string, SettleResult>();
  const outcomes = await inTransaction(database, async (transaction) => {
    const resolutions: ReservationStatus[] = unique.map((entry) => (entry.costMicros === 0 && entry.fact.status === "error" ? "voided" : "settled"));
    const leaseChecks = await resolveLeaseHolds(transaction, unique, resolutions, now, options.reportedBy ?? new Map());
    const leaseResolved = new Map([...leaseChecks].flatMap(([generationId, check]) => (check.resolution ? [[generationId, check.resolution] as const] : [])));
    // A fact whose lease does not match holds nothing: it must not resolve a reservation either.
    const eligible = unique.flatMap((entry, index) => (leaseChecks.get(entry.fact.generationId)?.mismatch ? [] : [index]));
    const { rows: resolved } = await sql<{ generation_id: string; account_id: string; amount_micros: number; status: ReservationStatus }>`
      WITH facts AS (
        SELECT * FROM unnest(
          ${eligible.map((index) => generationIds[index])}::text[], ${eligible.map((index) => costs[index])}::bigint[],
          ${eligible.map((index) => resolutions[index])}::text[], ${eligible.map((index) => factAccountIds[index])}::uuid[],
          ${eligible.map((index) => factKeyIds[index])}::uuid[]
        ) AS fact (generation_id, cost_micros, resolution, account_id, key_id)
      ), locked AS MATERIALIZED (
        SELECT reservation.generation_id FROM reservations reservation JOIN facts USING (generation_id)
        WHERE (reservation.status = 'pending' OR (reservation.status = 'expired' AND reservation.charged_micros IS NULL))
          AND reservation.account_id = facts.account_id AND reservation.key_id = facts.key_id
        ORDER BY reservation.generation_id
        FOR NO KEY UPDATE OF reservation
      )
      UPDATE reservations reservation SET
        status = CASE WHEN reservation.status = 'pending' THEN facts.resolution ELSE reservation.status END,
        charged_micros = facts.cost_micros,
        resolved_at = CASE WHEN reservation.status = 'pending' THEN ${now}::timestamptz ELSE reservation.resolved_at END
      FROM locked JOIN facts USING (generation_id)
      WHERE reservation.generation_id = locked.generation_id
        AND (reservation.status = 'pending' OR (reservation.status = 'expired' AND reservation.charged_micros IS NULL))
      RETURNING reservation.generation_id, reservation.account_id, reservation.amount_micros, reservation.status
    `.execute(transaction);
    const resolvedByGeneration = new Map(resolved.map((row) => [row.generation_id, row]));

    // A resolved reservation is charged to its own account. Any other fact is a redelivery (its
    // reservation matches it and was resolved before) or an anomaly, which is recorded and not charged.
    const chargeAccounts = unique.map((entry) => {
      const reservation = resolvedByGeneration.get(entry.fact.generationId) ?? leaseResolved.get(entry.fact.generationId);
      return reservation ? reservation.account_id : null;
    });
    const claimedAccounts = unique.map((entry) => claimedIdentifier(entry.fact.accountId));
    const { rows: charges } = await sql<{ generation_id: string; account_id: string | null; charged: boolean; anomaly: SettlementAnomalyReason | null; anomaly_recorded: boolean }>`
      WITH candidates AS (
        SELECT * FROM unnest(
          ${generationIds}::text[], ${chargeAccounts}::uuid[], ${costs}::bigint[],
          ${factAccountIds}::uuid[], ${factKeyIds}::uuid[], ${claimedAccounts}::text[],
          ${unique.map((entry) => claimedIdentifier(entry.fact.keyId))}::text[],
          ${unique.map((entry) => entry.fact.lease?.leaseId ?? null)}::uuid[],
          ${unique.map((entry) => leaseChecks.get(entry.fact.generationId)?.mismatch ?? null)}::text[]
        ) AS candidate (generation_id, account_id, cost_micros, fact_account_id, fact_key_id, claimed_account_id, claimed_key_id, lease_id, lease_mismatch)
      ), judged AS (
        SELECT candidate.*,
          CASE
            WHEN candidate.account_id IS NOT NULL THEN NULL
            WHEN candidate.lease_mismatch IS NOT NULL THEN candidate.lease_mismatch
            WHEN reservation.generation_id IS NULL THEN 'no-hold'
            WHEN reservation.account_id IS DISTINCT FROM candidate.fact_account_id THEN 'account-mismatch'
            WHEN reservation.key_id IS DISTINCT FROM candidate.fact_key_id THEN 'key-mismatch'
            -- Resolved before with another cost (a voided reservation charged nothing): the first stands.
            WHEN reservation.status <> 'pending' AND COALESCE(reservation.charged_micros, 0) <> candidate.cost_micros THEN 'conflicting-usage'
          END AS anomaly
        FROM candidates candidate LEFT JOIN reservations reservation USING (generation_id)
      ), inserted AS (
        INSERT INTO ledger_transactions (kind, generation_id)
        SELECT 'charge', generation_id FROM judged
        WHERE cost_micros > 0 AND account_id IS NOT NULL
        ORDER BY generation_id
        -- Targets the partial unique index ledger_transactions_one_charge_per_generation.
        ON CONFLICT (generation_id) WHERE kind = 'charge' DO NOTHING
        RETURNING id, generation_id
      ), posted AS (
        -- Both legs of each new charge in this one statement (the ledger checks each transaction balances):
        -- the customer pays, revenue receives.
        INSERT INTO ledger_entries (transaction_id, account_id, ledger_account, kind, amount_micros, generation_id)
        SELECT inserted.id, leg.account_id, leg.ledger_account, 'charge', leg.amount_micros, leg.generation_id
        FROM inserted JOIN judged USING (generation_id)
          CROSS JOIN LATERAL (VALUES
            (judged.account_id, NULL::text, -judged.cost_micros, judged.generation_id),
            (NULL::uuid, 'revenue', judged.cost_micros, NULL::text)
          ) AS leg (account_id, ledger_account, amount_micros, generation_id)
        ORDER BY inserted.id, leg.account_id IS NULL
      ), announced AS (
        -- The billing-settled fact of each generation this batch resolved, in the outbox of this transaction:
        -- the relay publishes it after the commit (2026-11-30T19-25-billing-outbox).
        INSERT INTO billing_outbox (topic, payload)
        SELECT 'billing-settled', jsonb_build_object(
          'generationId', judged.generation_id, 'accountId', judged.account_id, 'costMicros', judged.cost_micros,
          'chargedMicros', CASE WHEN inserted.id IS NULL THEN 0 ELSE judged.cost_micros END,
          'ledgerTransactionId', inserted.id, 'settledAt', ${now.toISOString()}::text)
        FROM judged LEFT JOIN inserted USING (generation_id)
        WHERE judged.account_id IS NOT NULL
        ORDER BY judged.generation_id
      ), recorded AS (
        INSERT INTO settlement_anomalies (generation_id, account_id, key_id, lease_id, claimed_micros, reason, recorded_at)
        SELECT generation_id, claimed_account_id, claimed_key_id, lease_id, cost_micros, anomaly, ${now}::timestamptz FROM judged
        WHERE anomaly IS NOT NULL
        ORDER BY generation_id
        -- Either partial unique index: once per generation id, a conflict once per generation id and cost.
        ON CONFLICT DO NOTHING
        RETURNING generation_id
      )
      SELECT judged.generation_id, judged.account_id, inserted.generation_id IS NOT NULL AS charged, judged.anomaly,
        recorded.generation_id IS NOT NULL AS anomaly_recorded
      FROM judged LEFT JOIN inserted USING (generation_id) LEFT JOIN recorded USING (generation_id)
    `.execute(transaction);

    const deltas = new Map<string, { chargedMicros: number; releasedMicros: number; leasedMicros: number }>();
    const deltaOf = (accountId: string) => {
      let delta = deltas.get(accountId);
      if (!delta) deltas.set(accountId, (delta = { chargedMicros: 0, releasedMicros: 0, leasedMicros: 0 }));
      return delta;
    };
    for (const row of resolved) if (row.status !== "expired") deltaOf(row.account_id).releasedMicros += row.amount_micros;
    // An expired lease gave its credit back already: its late generations are charged but take nothing.
    for (const row of leaseResolved.values()) if (row.lease_status !== "expired") deltaOf(row.account_id).leasedMicros += row.consumed_micros;
    const results = new Map<string, SettleResult>();
    for (const row of charges) {
      const entry = firstOfEach.get(row.generation_id);
      if (!entry) continue;
      if (row.charged && row.account_id) deltaOf(row.account_id).chargedMicros += entry.costMicros;
      const status = resolvedByGeneration.get(row.generation_id)?.status ?? leaseResolved.get(row.generation_id)?.status;
      const result: SettleResult = { generationId: row.generation_id, outcome: outcomeOf(status, row.anomaly), costMicros: entry.costMicros, charged: row.charged };
      if (row.anomaly) result.anomaly = { reason: row.anomaly, accountId: claimedIdentifier(entry.fact.accountId), recorded: row.anomaly_recorded };
      results.set(row.generation_id, result);
    }

    const accountIds = [...deltas.keys()];
    if (accountIds.length > 0) {
      const charged = accountIds.map((accountId) => deltas.get(accountId)?.chargedMicros ?? 0);
      const released = accountIds.map((accountId) => deltas.get(accountId)?.releasedMicros ?? 0);
      const leased = accountIds.map((accountId) => deltas.get(accountId)?.leasedMicros ?? 0);
      await sql`
        WITH deltas AS (
          SELECT * FROM unnest(${accountIds}::uuid[], ${charged}::bigint[], ${released}::bigint[], ${leased}::bigint[])
            AS delta (account_id, charged_micros, released_micros, leased_micros)
        ), locked AS MATERIALIZED (
          SELECT account.id FROM accounts account JOIN deltas ON deltas.account_id = account.id
          ORDER BY account.id
          FOR NO KEY UPDATE OF account
        )
        UPDATE accounts account SET
          balance_micros = account.balance_micros - deltas.charged_micros,
          reserved_micros = account.reserved_micros - deltas.released_micros,
          leased_micros = GREATEST(account.leased_micros - deltas.leased_micros, 0)
        FROM locked JOIN deltas ON deltas.account_id = locked.id
        WHERE account.id = locked.id
      `.execute(transaction);
    }
    // Rare: a copy in this batch claiming another cost than its first copy meets its generation resolved.
    if (conflictingCopies.size > 0) {
      for (const result of await settleGenerations(transaction, [...conflictingCopies.values()], { now })) {
        conflictResults.set(copyKey(result.generationId, result.costMicros), result);
      }
    }
    return results;
  });

  return facts.map((fact, index) => {
    const first = outcomes.get(fact.generationId);
    const result = first && first.costMicros !== factCosts[index] ? conflictResults.get(copyKey(fact.generationId, factCosts[index] ?? 0)) : first;
    if (!result) throw new Error(`settlement of ${fact.generationId} gave no result`);
    return result;
  });
}

function copyKey(generationId: string, costMicros: number): string {
  return `${costMicros}:${generationId}`;
}

function outcomeOf(resolvedStatus: ReservationStatus | undefined, anomaly: SettlementAnomalyReason | null): SettleOutcome {
  if (resolvedStatus === "settled") return settleOutcomes.settled;
  if (resolvedStatus === "voided") return settleOutcomes.voided;
  if (resolvedStatus === "expired") return settleOutcomes.chargedAfterExpiry;
  if (anomaly) return settleOutcomes.anomaly;
  return settleOutcomes.alreadyResolved;
}

function uuidOrNull(value: string): string | null {
  return isUuid(value) ? value : null;
}

/**
 * An id as a fact claimed it, fit to store and log: a forged fact may carry anything, and a NUL (which
 * PostgreSQL text refuses) or a megabyte of it must not keep its anomaly from being recorded.
 */
function claimedIdentifier(value: string): string {
  return replaceControlCharacters(value, () => "\uFFFD").slice(0, 200);
}

interface LeaseResolution {
  generation_id: string;
  account_id: string;
  status: ReservationStatus;
  consumed_micros: number;
  lease_status: CreditLeaseStatus;
}

/** What step 0 found for a fact that names a lease: a mismatch, or the reservation row it wrote. */
interface LeaseCheck {
  mismatch: SettlementAnomalyReason | null;
  /** Null when nothing was written: a mismatch, or a redelivery (the row exists already). */
  resolution: LeaseResolution | null;
}

/**
 * Step 0 of settlement, for generations ingress held against a credit lease: checks that the lease holds
 * the generation, and records each matching one's reservation row, resolved at once (settled or voided)
 * with what it consumed from the lease, in one multi-row insert. The generation id's primary key makes
 * it exactly once, as for every reservation.
 *
 * A lease holds a generation when it exists, is the account's the fact names, the fact's key is a key of
 * that account, a fact from a connector's usage report names the lease's holder as its ingress (the
 * connector sees lease ids, and must not charge another replica's lease), and the lease has room for it:
 * what its new generations consume, added in generation id order to what the lease's generations already
 * consumed, stays within granted − returned (ingress holds a generation only against what its lease has
 * left; expired leases too, so a late fact is bounded by the lease). A fact that fails is recorded as an
 * anomaly and not charged.
 *
 * A report-derived fact consumes only its cost, also on a closed lease. Ingress counted a generation still
 * running at the close at its whole hold (AccountLease.finish), one that had ended before at its cost, and
 * billing cannot tell which a report is: taking the hold for one that had ended would take room the close
 * kept for another generation still running, whose completion fact would then exceed the lease and go
 * uncharged (a billing killed with that fact in hand redelivers it after its report settled). What a
 * report leaves of a hold goes back when the lease expires, as for a report on a lease never closed.
 *
 * The leases are locked FOR NO KEY UPDATE, in id order, by a statement of their own: concurrent settlements
 * of one lease then check its room one after the other, each statement seeing the other's committed
 * consumption (in the same statement, a wait for the lock would not refresh `consumed_micros`). It conflicts with
 * the lease's close and expiry, never with reservations or grants.
 */
async function resolveLeaseHolds(
  transaction: Transaction<Database>,
  entries: readonly { fact: GenerationCompleted; costMicros: number }[],
  resolutions: readonly ReservationStatus[],
  now: Date,
  reportedBy: ReadonlyMap<string, string>,
): Promise<Map<string, LeaseCheck>> {
  const held = entries.flatMap((entry, index) => {
    const lease = entry.fact.lease;
    return lease ? [{ entry, lease, resolution: resolutions[index] ?? "settled", holder: reportedBy.get(entry.fact.generationId) ?? null }] : [];
  });
  if (held.length === 0) return new Map();
  const leaseIds = [...new Set(held.map((item) => item.lease.leaseId))].sort();
  await sql`SELECT id FROM credit_leases WHERE id = ANY(${leaseIds}::uuid[]) ORDER BY id FOR NO KEY UPDATE`.execute(transaction);
  const { rows } = await sql<LeaseResolution & { mismatch: SettlementAnomalyReason | null; inserted: boolean }>`
    WITH facts AS (
      SELECT * FROM unnest(
        ${held.map((item) => item.entry.fact.generationId)}::text[], ${held.map((item) => item.lease.leaseId)}::uuid[],
        ${held.map((item) => uuidOrNull(item.entry.fact.accountId))}::uuid[],
        ${held.map((item) => uuidOrNull(item.entry.fact.keyId))}::uuid[], ${held.map((item) => item.lease.holdMicros)}::bigint[],
        ${held.map((item) => item.entry.costMicros)}::bigint[],
        ${held.map((item) => Math.max(item.lease.consumedMicros, item.entry.costMicros))}::bigint[], ${held.map((item) => item.resolution)}::text[],
        ${held.map((item) => item.holder)}::text[]
      ) AS fact (generation_id, lease_id, account_id, key_id, hold_micros, cost_micros, consumed_micros, resolution, reported_by)
    ), leases AS MATERIALIZED (
      SELECT lease.id, lease.account_id, lease.status, lease.holder,
        lease.granted_micros - lease.returned_micros - lease.consumed_micros AS room_micros
      FROM credit_leases lease
      WHERE lease.id IN (SELECT lease_id FROM facts)
    ), checked AS (
      SELECT facts.*, leases.account_id AS lease_account_id, leases.status AS lease_status, leases.room_micros,
        CASE
          WHEN leases.id IS NULL THEN 'lease-not-found'
          WHEN leases.account_id IS DISTINCT FROM facts.account_id THEN 'account-mismatch'
          WHEN NOT EXISTS (SELECT 1 FROM api_keys key WHERE key.id = facts.key_id AND key.account_id = leases.account_id) THEN 'key-mismatch'
          WHEN facts.reported_by IS NOT NULL AND leases.holder IS DISTINCT FROM facts.reported_by THEN 'lease-holder-mismatch'
        END AS mismatch,
        EXISTS (SELECT 1 FROM reservations reservation WHERE reservation.generation_id = facts.generation_id) AS known
      FROM facts LEFT JOIN leases ON leases.id = facts.lease_id
    ), measured AS (
      -- The new generations of each lease, in generation id order: what they take, and what is left.
      SELECT generation_id,
        room_micros - sum(consumed_micros) OVER (PARTITION BY lease_id ORDER BY generation_id) AS room_after_micros
      FROM checked WHERE mismatch IS NULL AND NOT known
    ), judged AS (
      SELECT checked.generation_id, checked.lease_id, checked.lease_account_id, checked.key_id, checked.hold_micros, checked.cost_micros,
        checked.resolution, checked.lease_status, checked.consumed_micros,
        COALESCE(checked.mismatch, CASE WHEN measured.room_after_micros < 0 THEN 'exceeds-lease' END) AS mismatch
      FROM checked LEFT JOIN measured USING (generation_id)
    ), inserted AS (
      INSERT INTO reservations (generation_id, account_id, key_id, amount_micros, status, charged_micros, resolved_at, expires_at, lease_id, lease_consumed_micros)
      SELECT generation_id, lease_account_id, key_id, hold_micros, resolution, cost_micros,
        ${now}::timestamptz, ${now}::timestamptz, lease_id, consumed_micros
      FROM judged
      WHERE mismatch IS NULL
      ORDER BY generation_id
      ON CONFLICT (generation_id) DO NOTHING
      -- The leases' running totals (credit_leases.consumed_micros) move with these rows, by a trigger at
      -- the end of this statement; the leases are locked above, so no concurrent batch misses it.
      RETURNING generation_id, account_id, status, lease_consumed_micros
    )
    SELECT judged.generation_id, judged.mismatch, inserted.generation_id IS NOT NULL AS inserted, inserted.account_id, inserted.status,
      inserted.lease_consumed_micros AS consumed_micros, judged.lease_status
    FROM judged LEFT JOIN inserted USING (generation_id)
  `.execute(transaction);
  return new Map(
    rows.map((row) => [
      row.generation_id,
      {
        mismatch: row.mismatch,
        resolution: row.inserted
          ? { generation_id: row.generation_id, account_id: row.account_id, status: row.status, consumed_micros: row.consumed_micros, lease_status: row.lease_status }
          : null,
      },
    ]),
  );
}
