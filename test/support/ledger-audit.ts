import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { TrafficRecord } from "./steady-traffic.js";

export interface LedgerAuditOptions {
  databaseUrl: string;
  accountId: string;
  /** Every request sent for this account. */
  records: readonly TrafficRecord[];
  /** How long settlement may take after the traffic stopped. */
  settleTimeoutMs: number;
}

/** The account's money against what its client saw, after settlement. */
export interface LedgerAudit {
  /** Generations the client received output from. */
  outputGenerations: number;
  /** Of those, generations without a charge in the ledger. */
  missingCharge: string[];
  /** Generations with more than one charge. */
  chargedTwice: string[];
  /** Generations charged another amount than the `usage.cost` their client was shown. */
  costMismatch: { generationId: string; shownMicros: number; chargedMicros: number }[];
  /** Charges of generations whose client received no output (a failure after the provider produced some). */
  chargesWithoutClientOutput: number;
  charges: number;
  grantsMicros: number;
  chargesMicros: number;
  balanceMicros: number;
  /** Credit still held by reservations; 0 once every generation reported. */
  reservedMicros: number;
  /**
   * Pending reservations, including holds whose generation never started because billing's reply was
   * lost in the outage: nobody reports those, and they wait for the expiry sweeper.
   */
  pendingReservations: number;
  /** Pending reservations of generations whose client got an answer: their completion fact never settled. */
  pendingReservationIds: string[];
  /** How long it took until every generation with output was charged and every answered one settled. */
  settledAfterMs: number;
}

interface ChargeRow {
  generation_id: string;
  charges: string;
  amount_micros: string;
}

/**
 * Waits until every generation whose client received output is charged and every answered one settled
 * (or the timeout passes), then reads the account's ledger, reservations and balance from PostgreSQL.
 */
export async function auditLedger(options: LedgerAuditOptions): Promise<LedgerAudit> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const withOutput = options.records.filter((record) => record.producedOutput && record.generationId !== undefined);
    const outputIds = new Set(withOutput.map((record) => record.generationId as string));
    // A generation id reaches the client (X-Generation-Id) only once its credit is reserved.
    const answered = new Set(options.records.flatMap((record) => (record.generationId === undefined ? [] : [record.generationId])));
    const startedAt = performance.now();
    const deadline = startedAt + options.settleTimeoutMs;
    let charges: ChargeRow[] = [];
    let pendingAnswered: string[] = [];
    for (;;) {
      const result = await client.query<ChargeRow>(
        `SELECT generation_id, count(*) AS charges, sum(-amount_micros) AS amount_micros
           FROM ledger_entries WHERE account_id = $1 AND kind = 'charge' GROUP BY generation_id`,
        [options.accountId],
      );
      charges = result.rows;
      const pending = await client.query<{ generation_id: string }>(`SELECT generation_id FROM reservations WHERE account_id = $1 AND status = 'pending'`, [
        options.accountId,
      ]);
      pendingAnswered = pending.rows.map((reservation) => reservation.generation_id).filter((id) => answered.has(id));
      const charged = new Set(charges.map((row) => row.generation_id));
      const settled = [...outputIds].every((id) => charged.has(id)) && pendingAnswered.length === 0;
      if (settled || performance.now() > deadline) break;
      await sleep(200);
    }
    const settledAfterMs = Math.round(performance.now() - startedAt);
    const chargeById = new Map(charges.map((row) => [row.generation_id, row]));

    const account = await client.query<{ balance_micros: string; reserved_micros: string; grants_micros: string | null; ledger_micros: string | null }>(
      `SELECT a.balance_micros, a.reserved_micros,
              (SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = a.id AND kind = 'grant') AS grants_micros,
              (SELECT sum(-amount_micros) FROM ledger_entries WHERE account_id = a.id AND kind = 'charge') AS ledger_micros
         FROM accounts a WHERE a.id = $1`,
      [options.accountId],
    );
    const row = account.rows[0];
    if (row === undefined) throw new Error(`account ${options.accountId} not found`);
    const pending = await client.query<{ count: string }>(`SELECT count(*) FROM reservations WHERE account_id = $1 AND status = 'pending'`, [options.accountId]);

    const costMismatch: LedgerAudit["costMismatch"] = [];
    for (const record of withOutput) {
      const charge = chargeById.get(record.generationId as string);
      if (charge === undefined || record.clientCostUsd === undefined) continue;
      const shownMicros = Math.round(record.clientCostUsd * 1_000_000);
      const chargedMicros = Number(charge.amount_micros);
      if (shownMicros !== chargedMicros) costMismatch.push({ generationId: record.generationId as string, shownMicros, chargedMicros });
    }

    return {
      outputGenerations: outputIds.size,
      missingCharge: [...outputIds].filter((id) => !chargeById.has(id)),
      chargedTwice: charges.filter((charge) => Number(charge.charges) > 1).map((charge) => charge.generation_id),
      costMismatch,
      chargesWithoutClientOutput: charges.filter((charge) => !outputIds.has(charge.generation_id)).length,
      charges: charges.length,
      grantsMicros: Number(row.grants_micros ?? 0),
      chargesMicros: Number(row.ledger_micros ?? 0),
      balanceMicros: Number(row.balance_micros),
      reservedMicros: Number(row.reserved_micros),
      pendingReservations: Number(pending.rows[0]?.count ?? 0),
      pendingReservationIds: pendingAnswered,
      settledAfterMs,
    };
  } finally {
    await client.end();
  }
}
