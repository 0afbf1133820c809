import { computeCostMicros, type GenerationCompleted } from "@switchboard/contracts";
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
  /** No reservation exists for the generation; it was charged anyway, once. */
  chargedWithoutReservation: "charged-without-reservation",
  /** No reservation and no such account: nothing can be charged. */
  unknownAccount: "unknown-account",
} as const;
export type SettleOutcome = (typeof settleOutcomes)[keyof typeof settleOutcomes];

export interface SettleResult {
  generationId: string;
  outcome: SettleOutcome;
  /** The generation's cost, whether or not this call was the one that charged it. */
  costMicros: number;
  /** True when this call inserted the charge into the ledger. */
  charged: boolean;
}

/** Settles one generation: `settleGenerations` with a batch of one. */
export async function settle(database: DatabaseExecutor, fact: GenerationCompleted, options: { now?: Date } = {}): Promise<SettleResult> {
  const [result] = await settleGenerations(database, [fact], options);
  if (!result) throw new Error(`settling ${fact.generationId} gave no result`);
  return result;
}

/**
 * Settles the generations a batch of completion facts reports, idempotently by generation id, in one
 * transaction of three set-based statements whatever the batch size (four when the batch has
 * generations held against credit leases):
 *
 * 0. generations ingress held against a lease get their reservation row now, already resolved, with
 *    what they consumed from the lease (`resolveLeaseHolds`);
 * 1. resolve the batch's reservations: a pending one becomes settled (or voided: a failed generation that
 *    cost nothing) with the actual cost; an expired one not yet charged records its late charge and stays
 *    expired (a reservation resolves once). Rows are locked in generation id order, and a row another
 *    transaction (a second consumer, the expiry sweeper) resolved meanwhile is re-checked and skipped;
 * 2. insert the charges, one multi-row insert in generation id order: for each reservation just resolved,
 *    and for each fact without any reservation whose account exists. The ledger's unique charge per
 *    generation (`ON CONFLICT DO NOTHING`) is the exactly-once guard, also against a concurrent duplicate;
 * 3. apply each account's total change, charges to the balance, released holds to `reserved_micros`
 *    and lease consumption to `leased_micros`,
 *    in ONE update per account per batch, rows locked in account id order so that concurrent batches,
 *    the sweeper and single reservations cannot deadlock.
 *
 * The hot account row is locked only by the last statement, until the commit: a reservation on the
 * request path never waits for the rest of a batch. Each generation's cost is `computeCostMicros(usage,
 * price)`; balance stays = Σ ledger entries because the balance moves by exactly the charges inserted.
 * A fact repeated within the batch counts once (its first copy). Results follow the facts' order.
 */
export async function settleGenerations(
  database: DatabaseExecutor,
  facts: readonly GenerationCompleted[],
  options: { now?: Date } = {},
): Promise<SettleResult[]> {
  const now = options.now ?? new Date();
  const firstOfEach = new Map<string, { fact: GenerationCompleted; costMicros: number }>();
  for (const fact of facts) {
    if (!firstOfEach.has(fact.generationId)) firstOfEach.set(fact.generationId, { fact, costMicros: computeCostMicros(fact.usage, fact.price) });
  }
  if (firstOfEach.size === 0) return [];
  const unique = [...firstOfEach.values()];
  const generationIds = unique.map((entry) => entry.fact.generationId);
  const costs = unique.map((entry) => entry.costMicros);

  const outcomes = await inTransaction(database, async (transaction) => {
    const resolutions: ReservationStatus[] = unique.map((entry) => (entry.costMicros === 0 && entry.fact.status === "error" ? "voided" : "settled"));
    const leaseResolved = await resolveLeaseHolds(transaction, unique, resolutions, now);
    const { rows: resolved } = await sql<{ generation_id: string; account_id: string; amount_micros: number; status: ReservationStatus }>`
      WITH facts AS (
        SELECT * FROM unnest(${generationIds}::text[], ${costs}::bigint[], ${resolutions}::text[]) AS fact (generation_id, cost_micros, resolution)
      ), locked AS MATERIALIZED (
        SELECT reservation.generation_id FROM reservations reservation JOIN facts USING (generation_id)
        WHERE reservation.status = 'pending' OR (reservation.status = 'expired' AND reservation.charged_micros IS NULL)
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

    // A resolved reservation is charged to its own account; any other fact to the account it names,
    // which must exist and must not have a reservation (an already resolved one means a redelivery).
    const chargeAccounts = unique.map((entry) => {
      const reservation = resolvedByGeneration.get(entry.fact.generationId) ?? leaseResolved.get(entry.fact.generationId);
      if (reservation) return reservation.account_id;
      return isUuid(entry.fact.accountId) ? entry.fact.accountId : null;
    });
    const reserved = unique.map((entry) => resolvedByGeneration.has(entry.fact.generationId) || leaseResolved.has(entry.fact.generationId));
    const { rows: charges } = await sql<{ generation_id: string; account_id: string | null; charged: boolean; has_reservation: boolean; account_exists: boolean }>`
      WITH candidates AS (
        SELECT * FROM unnest(${generationIds}::text[], ${chargeAccounts}::uuid[], ${costs}::bigint[], ${reserved}::boolean[])
          AS candidate (generation_id, account_id, cost_micros, resolved_now)
      ), checked AS (
        SELECT candidate.*,
          EXISTS (SELECT 1 FROM reservations reservation WHERE reservation.generation_id = candidate.generation_id) AS has_reservation,
          EXISTS (SELECT 1 FROM accounts account WHERE account.id = candidate.account_id) AS account_exists
        FROM candidates candidate
      ), inserted AS (
        INSERT INTO ledger_entries (account_id, kind, amount_micros, generation_id)
        SELECT account_id, 'charge', -cost_micros, generation_id FROM checked
        WHERE cost_micros > 0 AND (resolved_now OR (NOT has_reservation AND account_exists))
        ORDER BY generation_id
        -- Targets the partial unique index ledger_entries_one_charge_per_generation.
        ON CONFLICT (generation_id) WHERE kind = 'charge' DO NOTHING
        RETURNING generation_id
      )
      SELECT checked.generation_id, checked.account_id, inserted.generation_id IS NOT NULL AS charged, checked.has_reservation, checked.account_exists
      FROM checked LEFT JOIN inserted USING (generation_id)
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
      results.set(row.generation_id, { generationId: row.generation_id, outcome: outcomeOf(status, row), costMicros: entry.costMicros, charged: row.charged });
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
    return results;
  });

  return facts.map((fact) => {
    const result = outcomes.get(fact.generationId);
    if (!result) throw new Error(`settlement of ${fact.generationId} gave no result`);
    return result;
  });
}

function outcomeOf(
  resolvedStatus: ReservationStatus | undefined,
  charge: { has_reservation: boolean; account_exists: boolean },
): SettleOutcome {
  if (resolvedStatus === "settled") return settleOutcomes.settled;
  if (resolvedStatus === "voided") return settleOutcomes.voided;
  if (resolvedStatus === "expired") return settleOutcomes.chargedAfterExpiry;
  if (charge.has_reservation) return settleOutcomes.alreadyResolved;
  if (charge.account_exists) return settleOutcomes.chargedWithoutReservation;
  return settleOutcomes.unknownAccount;
}

interface LeaseResolution {
  generation_id: string;
  account_id: string;
  status: ReservationStatus;
  consumed_micros: number;
  lease_status: CreditLeaseStatus;
}

/**
 * Step 0 of settlement, for generations ingress held against a credit lease: records each one's
 * reservation row, resolved at once (settled or voided) with what it consumed from the lease, in one
 * multi-row insert. The generation id's primary key makes it exactly once, as for every reservation;
 * the account is the lease's, whatever the fact names. Leases are locked FOR KEY SHARE in id order,
 * which waits only for the expiry sweep, so a lease never expires half-consumed.
 */
async function resolveLeaseHolds(
  transaction: Transaction<Database>,
  entries: readonly { fact: GenerationCompleted; costMicros: number }[],
  resolutions: readonly ReservationStatus[],
  now: Date,
): Promise<Map<string, LeaseResolution>> {
  const held = entries.flatMap((entry, index) => {
    const lease = entry.fact.lease;
    if (!lease || !isUuid(lease.leaseId) || !isUuid(entry.fact.keyId)) return [];
    return [{ entry, lease, resolution: resolutions[index] ?? "settled" }];
  });
  if (held.length === 0) return new Map();
  const { rows } = await sql<LeaseResolution>`
    WITH facts AS (
      SELECT * FROM unnest(
        ${held.map((item) => item.entry.fact.generationId)}::text[], ${held.map((item) => item.lease.leaseId)}::uuid[],
        ${held.map((item) => item.entry.fact.keyId)}::uuid[], ${held.map((item) => item.lease.holdMicros)}::bigint[],
        ${held.map((item) => item.entry.costMicros)}::bigint[],
        ${held.map((item) => Math.max(item.lease.consumedMicros, item.entry.costMicros))}::bigint[], ${held.map((item) => item.resolution)}::text[]
      ) AS fact (generation_id, lease_id, key_id, hold_micros, cost_micros, consumed_micros, resolution)
    ), leases AS MATERIALIZED (
      SELECT lease.id, lease.account_id, lease.status FROM credit_leases lease
      WHERE lease.id IN (SELECT lease_id FROM facts)
      ORDER BY lease.id
      FOR KEY SHARE OF lease
    ), inserted AS (
      INSERT INTO reservations (generation_id, account_id, key_id, amount_micros, status, charged_micros, resolved_at, expires_at, lease_id, lease_consumed_micros)
      SELECT facts.generation_id, leases.account_id, facts.key_id, facts.hold_micros, facts.resolution, facts.cost_micros,
        ${now}::timestamptz, ${now}::timestamptz, facts.lease_id, facts.consumed_micros
      FROM facts JOIN leases ON leases.id = facts.lease_id
      ORDER BY facts.generation_id
      ON CONFLICT (generation_id) DO NOTHING
      RETURNING generation_id, account_id, status, lease_id, lease_consumed_micros
    )
    SELECT inserted.generation_id, inserted.account_id, inserted.status, inserted.lease_consumed_micros AS consumed_micros, leases.status AS lease_status
    FROM inserted JOIN leases ON leases.id = inserted.lease_id
  `.execute(transaction);
  return new Map(rows.map((row) => [row.generation_id, row]));
}
